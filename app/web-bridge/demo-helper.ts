// DEMO ONLY: an in-process FAKE helper (app/helper/control's FakeHelper behind the real
// ControlServer) on a private socket in a fresh temp dir, so the dashboard can be tried and
// tested without a privileged helper. Its socket is 0600 and every caller on it is treated as
// admin (it is our own process's fake; nothing real is controlled).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHelper, type FakeHelperOptions, mulberry32 } from '../helper/control/fake-helper.ts';
import { ControlServer } from '../helper/control/server.ts';

export interface DemoHelper {
  readonly socketPath: string;
  readonly helper: FakeHelper;
  /** Stops the fake (clients see the helper go away); `start()` brings it back on the same path. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export const DEMO_INTERFACES: FakeHelperOptions['interfaces'] = [
  {
    name: 'wlan0',
    kind: 'wifi',
    addresses: ['198.51.100.23/24', '2001:db8:1::23/64'],
    up: true,
    enabled: true,
    metered: false,
  },
  { name: 'wwan0', kind: 'cellular', addresses: ['203.0.113.77/30'], up: true, enabled: true, metered: true },
];

export async function startDemoHelper(fake: Partial<FakeHelperOptions> = {}): Promise<DemoHelper> {
  const dir = mkdtempSync(join(tmpdir(), 'qe-demo-'));
  const socketPath = join(dir, 'helper.sock');
  const helper = new FakeHelper({
    now: () => performance.now(),
    random: mulberry32(7),
    connectDelayMs: 300,
    interfaces: DEMO_INTERFACES,
    ...fake,
  });
  let server: ControlServer | null = null;
  const start = async () => {
    if (server) return;
    server = await ControlServer.listen({
      helper,
      socketPath,
      socketMode: 0o600,
      socketGroup: null,
      peerCredentials: () => ({ uid: 0, gid: 0, pid: process.pid }),
      helperVersion: '0.1.0-demo',
    });
  };
  const stop = async () => {
    const s = server;
    server = null;
    await s?.close();
  };
  await start();
  return {
    socketPath,
    helper,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
