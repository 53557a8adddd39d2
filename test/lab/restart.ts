// Starts a fresh laptop helper for a lab tunnel whose first one died (e.g. killed with SIGKILL in a
// test), with the very config startTunnel wrote (same identity, same control socket path), in the
// laptop namespace. startTunnel's own `destroy()` only stops the helper it started, so the caller
// stops the returned one too (in a finally).
//
//   t.laptop.proc.kill('SIGKILL');                 // the TUN goes with it
//   const again = await restartLaptop(t);           // same socket: clients reconnect
//   try { … } finally { await again.stop(); await t.destroy(); }
import { join, resolve } from 'node:path';
import { spawnIn, waitExit } from './exec.ts';
import type { HelperProc, Tunnel } from './tunnel.ts';

const CLI = join(resolve(import.meta.dirname, '../..'), 'bin', 'quicether.js');

/** Spawns `quicether start --config <dir>/laptop.toml` in the laptop namespace; waits for the old one to be gone. */
export async function restartLaptop(t: Tunnel): Promise<HelperProc> {
  const old = t.laptop.proc;
  if (old.exitCode === null && old.signalCode === null) {
    old.kill('SIGTERM');
    if ((await waitExit(old, 5_000)) === null && old.exitCode === null) old.kill('SIGKILL');
  }
  const log: string[] = [];
  const proc = spawnIn(
    t.laptop.ns,
    process.execPath,
    [CLI, 'start', '--config', join(t.dir, 'laptop.toml')],
    {
      env: { ...process.env, QUICETHER_LOG: 'pretty' },
    },
  );
  const keep = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line) log.push(line);
    if (log.length > 2000) log.splice(0, log.length - 2000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    ns: t.laptop.ns,
    socket: t.laptop.socket,
    proc,
    log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        if ((await waitExit(proc, 5_000)) === null) proc.kill('SIGKILL');
      }
    },
  };
}
