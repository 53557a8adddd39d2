// Who is on the other end of a control connection. The helper's real lookup is SO_PEERCRED from
// the native addon (app/helper/io/peer-cred.ts), injected by the lead; this file defines the
// injection point and a pure-Node fallback that needs no addon:
//
//   accepted fd ──/proc/self/fd──► socket inode ──`ss -xpn`──► peer's pid ──/proc/pid/status──► euid/egid
//
// The fallback is slower (one `ss` run, shared by all connections waiting at that moment) and
// reads the peer's *current* ids rather than those at connect() time. It needs root to see
// other users' processes; on any failure it answers null, which the server treats as read-only.
import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import type net from 'node:net';

export interface PeerCredentials {
  uid: number;
  gid: number;
  pid: number;
}

/** Injected lookup. Sync (native SO_PEERCRED) or async (fallback); null = unknown = read-only. */
export type PeerCredentialLookup = (
  socket: net.Socket,
) => PeerCredentials | null | Promise<PeerCredentials | null>;

/** The OS file descriptor behind a connected socket, read from libuv's handle (null if hidden). */
export function socketFd(socket: net.Socket): number | null {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/** Bound on one `ss` run; a stuck run must not hold connections forever. */
const SS_TIMEOUT_MS = 3_000;
/** Bound on `ss` output we parse (a busy desktop has a few thousand unix sockets). */
const SS_MAX_BUFFER = 16 * 1024 * 1024;

type Waiter = { inode: string; resolve: (pid: number | null) => void };

/**
 * Fallback lookup via /proc and `ss`. Lookups that arrive while one `ss` run is in flight are
 * batched into the next run, so 500 simultaneous connections cost a handful of runs.
 */
export function createProcPeerCredentials(): PeerCredentialLookup {
  let queue: Waiter[] = [];
  let running = false;

  const run = (): void => {
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue;
    queue = [];
    execFile('ss', ['-xpnH'], { timeout: SS_TIMEOUT_MS, maxBuffer: SS_MAX_BUFFER }, (err, stdout) => {
      const pids = err ? new Map<string, number>() : pidsByPeerInode(String(stdout));
      for (const w of batch) w.resolve(pids.get(w.inode) ?? null);
      running = false;
      run();
    });
  };

  return async (socket) => {
    const fd = socketFd(socket);
    if (fd === null) return null;
    let link: string;
    try {
      link = await readlink(`/proc/self/fd/${fd}`);
    } catch {
      return null;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (!inode) return null;
    const pid = await new Promise<number | null>((resolve) => {
      queue.push({ inode, resolve });
      run();
    });
    if (pid === null) return null;
    return readProcIds(pid);
  };
}

/** Maps "peer inode" → pid of the process holding the socket whose peer that is. */
export function pidsByPeerInode(ssOutput: string): Map<string, number> {
  const out = new Map<string, number>();
  // Row: netid state recv-q send-q local-addr local-inode peer-addr peer-inode users:(("node",pid=1,fd=2))
  const row = /\s(\d+)\s+\S+\s+(\d+)\s+users:\(\("(?:[^"\\]|\\.)*",pid=(\d+),/;
  for (const line of ssOutput.split('\n')) {
    const m = row.exec(line);
    if (m?.[2] && m[3]) out.set(m[2], Number(m[3]));
  }
  return out;
}

async function readProcIds(pid: number): Promise<PeerCredentials | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    // "Uid:\treal\teffective\tsaved\tfs": SO_PEERCRED reports the effective ids.
    const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1];
    const gid = /^Gid:\s+\d+\s+(\d+)/m.exec(status)?.[1];
    if (uid === undefined || gid === undefined) return null;
    return { uid: Number(uid), gid: Number(gid), pid };
  } catch {
    return null;
  }
}
