import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  InterfaceInfo,
  PeerInfo,
  StatsSample,
  Status,
  WatchEvent,
} from '../../../app/protocol/schema.ts';
import type { BridgeEvent } from '../../../app/renderer/model.ts';
import { Backoff } from '../../../electron/main/logic/backoff.ts';
import { type ControlPort, HelperLink } from '../../../electron/main/logic/helper-link.ts';
import { FakeClock } from './fake-clock.ts';

const STATUS: Status = {
  target: 'connected',
  state: 'connected',
  mode: 'aggregate',
  scheduler: 'weighted',
  helperVersion: '0.1.0',
  connectedForMs: 1_000,
  activePaths: 2,
};
const IFACES: InterfaceInfo[] = [
  { name: 'wlan0', kind: 'wifi', addresses: ['198.51.100.23/24'], up: true, enabled: true, metered: false },
  { name: 'wwan0', kind: 'cellular', addresses: ['203.0.113.77/30'], up: true, enabled: true, metered: true },
];
const PEERS: PeerInfo[] = [
  { nodeId: 'qe1-gw', name: 'gw', endpoints: ['192.0.2.1:4433'], routes: [], connected: true, paths: 2 },
];

function sample(
  atMs: number,
  session: StatsSample['session'] = 'connected',
  ifaces = ['wlan0', 'wwan0'],
): StatsSample {
  return {
    atMs,
    session,
    paths: ifaces.map((name, i) => ({
      pathId: i,
      interface: name,
      state: 'active' as const,
      rttMs: 20 + i,
      rttVarMs: 2,
      loss: 0.01,
      txBps: 1e6 * (i + 1) + atMs,
      rxBps: 2e6,
      share: 0.5,
      cwndBytes: 30_000,
      reorderEvents: 0,
    })),
    aggregate: { txBps: 3e6, rxBps: 4e6 },
    cpuPerCore: [0.1],
  };
}

class FakePort implements ControlPort {
  role: 'admin' | 'read-only' = 'admin';
  helperVersion = '0.1.0';
  requests: Array<[string, unknown]> = [];
  onEvent: ((e: WatchEvent) => void) | null = null;
  private closeFns: Array<(err: { code: string; message: string } | null) => void> = [];
  closed = false;
  failNext: { code: string; message: string } | null = null;
  status: Status = { ...STATUS };

  async request(method: string, params: unknown): Promise<never> {
    this.requests.push([method, params]);
    if (this.failNext) {
      const e = Object.assign(new Error(this.failNext.message), { code: this.failNext.code });
      this.failNext = null;
      throw e;
    }
    const answer: Record<string, unknown> = {
      status: this.status,
      connect: { ...this.status, target: 'connected', state: 'connecting' },
      disconnect: { ...this.status, target: 'disconnected', state: 'disconnecting' },
      setMode: { ...this.status, mode: (params as { mode: string }).mode },
      setScheduler: { ...this.status, scheduler: (params as { scheduler: string }).scheduler },
      listInterfaces: IFACES,
      listPeers: PEERS,
      setInterfaceEnabled: { ...IFACES[1], enabled: (params as { enabled: boolean }).enabled },
    };
    return answer[method] as never;
  }
  async watch(_ms: number, onEvent: (e: WatchEvent) => void) {
    this.onEvent = onEvent;
    return { stop: async () => {} };
  }
  onClose(fn: (err: { code: string; message: string } | null) => void): void {
    this.closeFns.push(fn);
  }
  close(): void {
    this.closed = true;
  }
  /** The helper went away. */
  drop(): void {
    for (const f of this.closeFns)
      f({ code: 'connection_closed', message: 'the helper closed the connection' });
  }
  snapshot(s = sample(0)): void {
    this.onEvent?.({
      type: 'event',
      watchId: 1,
      kind: 'snapshot',
      status: this.status,
      interfaces: IFACES,
      peers: PEERS,
      sample: s,
    });
  }
  sample(s: StatsSample): void {
    this.onEvent?.({ type: 'event', watchId: 1, kind: 'sample', sample: s, coalesced: 0 });
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function makeLink(opts: { available: () => boolean; installed?: boolean }) {
  const clock = new FakeClock();
  const ports: FakePort[] = [];
  const link = new HelperLink({
    open: async () => {
      if (!opts.available())
        throw Object.assign(new Error('no helper listening at /run/quicether/helper.sock'), {
          code: 'not_running',
        });
      const p = new FakePort();
      ports.push(p);
      return p;
    },
    clock,
    backoff: new Backoff({ baseMs: 100, maxMs: 1_000, jitter: 0 }),
    uiMinIntervalMs: 250,
    refreshMs: 60_000,
    isInstalled: () => opts.installed ?? true,
  });
  const events: BridgeEvent[] = [];
  link.subscribe((e) => events.push(e));
  return { clock, ports, link, events };
}

describe('HelperLink', () => {
  test('helper absent: helper-down with the right remedy, retries with bounded growing delays', async () => {
    let available = false;
    const { clock, link, events } = makeLink({ available: () => available });
    link.start();
    await tick();
    assert.equal(link.snapshot.state, 'helper-down');
    assert.equal(link.snapshot.helper.reason, 'not-running');
    assert.equal(link.snapshot.banners[0]?.id, 'helper-down');
    assert.equal(link.snapshot.helper.retryInMs, 100);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const d = link.snapshot.helper.retryInMs ?? -1;
      delays.push(d);
      clock.advance(d);
      await tick();
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000]);
    assert.equal(link.connectAttempts, 8);
    assert.ok(events.every((e) => e.kind === 'snapshot' && e.snapshot.state === 'helper-down'));

    available = true;
    clock.advance(1_000);
    await tick();
    assert.equal(link.isUp, true);
    link.stop();
  });

  test('not installed is told apart from not running', async () => {
    const { link } = makeLink({ available: () => false, installed: false });
    link.start();
    await tick();
    assert.equal(link.snapshot.helper.reason, 'not-installed');
    assert.match(link.snapshot.banners[0]?.remedy ?? '', /apt install/);
    link.stop();
  });

  test('snapshot, then samples coalesced to the UI rate; a session change publishes a snapshot and re-reads status', async () => {
    const { clock, ports, link, events } = makeLink({ available: () => true });
    link.start();
    await tick();
    const port = ports[0] as FakePort;
    port.snapshot(sample(0));
    assert.equal(link.snapshot.state, 'connected');
    assert.equal(link.snapshot.peer?.name, 'gw');
    assert.equal(link.snapshot.interfaces.length, 2);
    assert.equal(link.snapshot.stats?.paths.length, 2);
    events.length = 0;

    // 20 samples 50 ms apart (20 Hz) → at most one stats event per 250 ms.
    for (let i = 1; i <= 20; i++) {
      port.sample(sample(i * 50));
      clock.advance(50);
    }
    clock.advance(250);
    const stats = events.filter((e) => e.kind === 'stats');
    assert.ok(stats.length >= 4 && stats.length <= 5, `stats events: ${stats.length}`);
    const lastStats = stats.at(-1);
    assert.equal(
      lastStats?.kind === 'stats' && lastStats.stats.atMs,
      1_000,
      'the latest sample always arrives',
    );

    events.length = 0;
    port.requests.length = 0;
    port.status = { ...STATUS, state: 'degraded' };
    port.sample(sample(1_050, 'degraded'));
    assert.equal(events[0]?.kind, 'snapshot');
    assert.equal(link.snapshot.state, 'degraded');
    assert.equal(link.snapshot.banners[0]?.id, 'degraded');
    await tick();
    assert.deepEqual(port.requests.map(([m]) => m).sort(), ['listInterfaces', 'listPeers', 'status']);
    link.stop();
  });

  test('verbs: sent with the right params, result applied at once, helper errors passed through', async () => {
    const { ports, link } = makeLink({ available: () => true });
    link.start();
    await tick();
    const port = ports[0] as FakePort;
    port.snapshot();
    assert.deepEqual(await link.setMode('failover'), { ok: true, value: null });
    assert.equal(link.snapshot.mode, 'failover');
    assert.deepEqual(await link.setInterfaceEnabled('wwan0', false), { ok: true, value: null });
    assert.equal(link.snapshot.interfaces.find((i) => i.name === 'wwan0')?.enabled, false);
    await link.disconnect();
    assert.equal(link.snapshot.state, 'disconnecting');
    assert.equal(link.snapshot.target, 'disconnected');
    port.failNext = { code: 'permission_denied', message: 'read-only caller' };
    assert.deepEqual(await link.connect(), {
      ok: false,
      error: { code: 'permission_denied', message: 'read-only caller' },
    });
    assert.deepEqual(
      port.requests.filter(([m]) => !['status', 'listInterfaces', 'listPeers'].includes(m)),
      [
        ['setMode', { mode: 'failover' }],
        ['setInterfaceEnabled', { name: 'wwan0', enabled: false }],
        ['disconnect', {}],
        ['connect', {}],
      ],
    );
    link.stop();
  });

  test('helper dies: helper-down at once, verbs refused, reconnects and recovers', async () => {
    let available = true;
    const { clock, ports, link } = makeLink({ available: () => available });
    link.start();
    await tick();
    (ports[0] as FakePort).snapshot();
    available = false;
    (ports[0] as FakePort).drop();
    assert.equal(link.snapshot.state, 'helper-down');
    assert.equal(link.snapshot.helper.reason, 'unreachable');
    assert.deepEqual((await link.connect()).ok, false);
    assert.equal(link.snapshot.interfaces.length, 2, 'last known interfaces stay visible');
    clock.advance(100);
    await tick();
    assert.equal(link.snapshot.state, 'helper-down');
    available = true;
    clock.advance(200);
    await tick();
    assert.equal(ports.length, 2);
    (ports[1] as FakePort).snapshot();
    assert.equal(link.snapshot.state, 'connected');
    assert.equal(link.snapshot.banners.length, 0);
    link.stop();
  });

  test('read-only role shows the read-only banner', async () => {
    const clock = new FakeClock();
    const port = new FakePort();
    port.role = 'read-only';
    const link = new HelperLink({ open: async () => port, clock });
    link.start();
    await tick();
    port.snapshot();
    assert.equal(link.snapshot.helper.readOnly, true);
    assert.deepEqual(
      link.snapshot.banners.map((b) => b.id),
      ['read-only'],
    );
    link.stop();
  });

  test('stop closes the port and leaves no timers behind', async () => {
    const { clock, ports, link } = makeLink({ available: () => true });
    link.start();
    await tick();
    (ports[0] as FakePort).snapshot();
    link.stop();
    assert.equal((ports[0] as FakePort).closed, true);
    assert.equal(clock.pending, 0);
  });
});
