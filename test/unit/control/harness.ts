// Test harness: a ControlServer backed by the FAKE helper on a socket in a fresh temp dir, plus
// a raw socket client for feeding the server bytes no well-behaved client would send.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AccountDb, fileAccountDb } from '../../../app/helper/control/authz.ts';
import { FakeHelper, type FakeHelperOptions, mulberry32 } from '../../../app/helper/control/fake-helper.ts';
import type { PeerCredentialLookup } from '../../../app/helper/control/peer-credentials.ts';
import { ControlServer, type ControlServerOptions } from '../../../app/helper/control/server.ts';
import { decodePayload, encodeFrame, FrameDecoder } from '../../../app/protocol/framing.ts';
import { MAX_SERVER_FRAME_BYTES } from '../../../app/protocol/version.ts';

export const ROOT: PeerCredentialLookup = () => ({ uid: 0, gid: 0, pid: 1 });
export const NOBODY: PeerCredentialLookup = () => ({ uid: 65534, gid: 65534, pid: 2 });

export interface Harness {
  dir: string;
  socketPath: string;
  helper: FakeHelper;
  server: ControlServer;
  close(): Promise<void>;
}

/** Account files: group quicether (gid 990) with member alice (uid 1000); bob (uid 1001) is not. */
export function testAccounts(dir: string): AccountDb {
  const group = join(dir, 'group');
  const passwd = join(dir, 'passwd');
  writeFileSync(group, 'root:x:0:\nquicether:x:990:alice\nnogroup:x:65534:\nstaff:x:50:bob\n');
  writeFileSync(
    passwd,
    'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\ncarol:x:1002:990::/home/carol:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n',
  );
  return fileAccountDb({ group, passwd });
}

export async function startFake(
  opts: Partial<ControlServerOptions> & { fake?: Partial<FakeHelperOptions> } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'qe-control-'));
  chmodSync(dir, 0o755);
  const socketPath = join(dir, 'helper.sock');
  const helper = new FakeHelper({
    now: () => performance.now(),
    random: mulberry32(42),
    connectDelayMs: 50,
    ...opts.fake,
  });
  const { fake: _f, ...serverOpts } = opts;
  const server = await ControlServer.listen({
    helper,
    socketPath,
    socketGroup: null,
    peerCredentials: ROOT,
    accounts: testAccounts(dir),
    ...serverOpts,
  });
  return {
    dir,
    socketPath,
    helper,
    server,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw connection that records every frame the server sends and when it closes. */
export class RawClient {
  readonly frames: unknown[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(MAX_SERVER_FRAME_BYTES);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      for (const p of this.decoder.push(c)) {
        const d = decodePayload(p);
        this.frames.push(d.ok ? d.value : { undecodable: d.error });
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ path });
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.socket.write(encodeFrame(value, 1 << 30));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until `pred` holds (checked on every frame and on close), or fails after `ms`. */
  async until(pred: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(
          `condition not met within ${ms} ms; frames: ${JSON.stringify(this.frames).slice(0, 500)}`,
        );
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
