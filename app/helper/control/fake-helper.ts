// FAKE helper: an in-memory HelperApi with plausible moving numbers, for tests and for the web
// dashboard's demo mode. It never touches the network and is never used by the real helper.
// Everything it does is driven by the clock and PRNG passed in, so a test with a virtual clock
// and a fixed seed sees the same numbers every run.
import { ControlError } from '../../protocol/errors.ts';
import type { PathSample, PathState, SessionState, TargetState } from '../../protocol/schema.ts';
import type {
  HelperApi,
  InterfaceInfo,
  Mode,
  PeerInfo,
  SchedulerName,
  StatsSample,
  Status,
} from './helper-api.ts';

export interface FakeHelperOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** Uniform [0, 1). Use mulberry32(seed) for reproducible runs. */
  random: () => number;
  /** Time from connect() to 'connected' (default 300 ms). */
  connectDelayMs?: number;
  /** Number of cores reported in cpuPerCore (default 2). */
  cores?: number;
  interfaces?: InterfaceInfo[];
  helperVersion?: string;
}

/** Small seeded PRNG (Mulberry32): deterministic fake numbers, not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEFAULT_INTERFACES: InterfaceInfo[] = [
  { name: 'eth0', kind: 'ethernet', addresses: ['192.0.2.10/24'], up: true, enabled: true, metered: false },
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

/** Per-kind link model: base RTT (ms), capacity (bit/s), base loss ratio. */
const LINK = {
  ethernet: { rttMs: 8, capacityBps: 300e6, loss: 0.0005 },
  wifi: { rttMs: 24, capacityBps: 120e6, loss: 0.004 },
  cellular: { rttMs: 55, capacityBps: 35e6, loss: 0.01 },
  other: { rttMs: 40, capacityBps: 50e6, loss: 0.005 },
} as const;

/** Time a fresh path spends probing before it carries traffic. */
const PROBE_MS = 200;
/** Time from disconnect() to 'disconnected'. */
const DISCONNECT_MS = 100;

export class FakeHelper implements HelperApi {
  private readonly o: Required<FakeHelperOptions>;
  private readonly startedAt: number;
  private target: TargetState = 'disconnected';
  private state: SessionState = 'disconnected';
  private since: number;
  private mode: Mode = 'aggregate';
  private scheduler: SchedulerName = 'weighted';
  private readonly ifaces: InterfaceInfo[];
  private readonly pathIds = new Map<string, number>();
  private readonly reorder = new Map<string, number>();
  /** Interfaces whose path goes unanswered (setStalled). */
  private readonly stalledIfaces = new Set<string>();
  private load = 0.5;

  constructor(opts: FakeHelperOptions) {
    this.o = {
      connectDelayMs: 300,
      cores: 2,
      interfaces: DEFAULT_INTERFACES,
      helperVersion: '0.1.0-fake',
      ...opts,
    };
    this.startedAt = this.o.now();
    this.since = this.startedAt;
    this.ifaces = this.o.interfaces.map((i) => ({ ...i, addresses: [...i.addresses] }));
  }

  async status(): Promise<Status> {
    return this.statusNow();
  }

  async connect(): Promise<Status> {
    this.target = 'connected';
    if (this.state === 'disconnected' || this.state === 'disconnecting' || this.state === 'error')
      this.enter('connecting');
    return this.statusNow();
  }

  async disconnect(): Promise<Status> {
    this.target = 'disconnected';
    if (this.state !== 'disconnected') this.enter('disconnecting');
    return this.statusNow();
  }

  async listInterfaces(): Promise<InterfaceInfo[]> {
    return this.ifaces.map((i) => ({ ...i, addresses: [...i.addresses] }));
  }

  async setInterfaceEnabled(name: string, enabled: boolean): Promise<InterfaceInfo> {
    const i = this.ifaces.find((x) => x.name === name);
    if (!i) throw new ControlError('not_found', `no interface named ${name}`);
    i.enabled = enabled;
    return { ...i, addresses: [...i.addresses] };
  }

  /**
   * Demo and test hook: the path on `name` stops being answered (a blackhole) or answers again.
   * A stalled active path reports `stalled` and carries nothing, as the helper's does.
   */
  setStalled(name: string, stalled: boolean): void {
    if (!this.ifaces.some((x) => x.name === name))
      throw new ControlError('not_found', `no interface named ${name}`);
    if (stalled) this.stalledIfaces.add(name);
    else this.stalledIfaces.delete(name);
  }

  async setMode(mode: Mode): Promise<Status> {
    this.mode = mode;
    return this.statusNow();
  }

  async setScheduler(name: SchedulerName): Promise<Status> {
    this.scheduler = name;
    return this.statusNow();
  }

  async listPeers(): Promise<PeerInfo[]> {
    this.advance();
    const up = this.state === 'connected' || this.state === 'degraded';
    return [
      {
        nodeId: 'qe1-fake-gateway-7f3a9c2e5b1d4086',
        name: 'gateway (fake)',
        endpoints: ['192.0.2.1:4433', '[2001:db8::1]:4433'],
        routes: ['0.0.0.0/0', '::/0'],
        connected: up,
        paths: up ? this.paths().length : 0,
      },
    ];
  }

  sample(): StatsSample {
    this.advance();
    const now = this.o.now();
    // Offered load drifts slowly so the graphs move (random walk inside [0.2, 1]).
    this.load = Math.min(1, Math.max(0.2, this.load + (this.o.random() - 0.5) * 0.1));
    const drafts = this.paths().map(({ iface, state }) => {
      const link = LINK[iface.kind];
      const jitter = this.o.random();
      const rttMs = link.rttMs * (1 + 0.3 * jitter);
      const stalled = state === 'active' && this.stalledIfaces.has(iface.name);
      const carrying = state === 'active' && !stalled;
      const txBps = carrying
        ? link.capacityBps * this.load * (0.8 + 0.2 * this.o.random())
        : state === 'probing'
          ? 2_000
          : 0;
      const rxBps = txBps * (1.5 + this.o.random());
      if (carrying && this.mode === 'aggregate' && this.o.random() < 0.3)
        this.reorder.set(iface.name, (this.reorder.get(iface.name) ?? 0) + 1);
      return {
        pathId: this.pathIdFor(iface.name),
        interface: iface.name,
        state,
        rttMs: round(rttMs),
        rttVarMs: round(rttMs * 0.1 * (0.5 + jitter)),
        loss: round(Math.min(1, link.loss * (0.5 + this.o.random())), 5),
        txBps: Math.round(txBps),
        rxBps: Math.round(rxBps),
        share: 0,
        cwndBytes: Math.max(14_720, Math.round(((link.capacityBps / 8) * rttMs) / 1000)),
        reorderEvents: this.reorder.get(iface.name) ?? 0,
        ...(stalled ? { stalled: true } : {}),
      } satisfies PathSample;
    });
    const tx = drafts.reduce((s, p) => s + p.txBps, 0);
    const rx = drafts.reduce((s, p) => s + p.rxBps, 0);
    for (const p of drafts) p.share = tx > 0 ? round(p.txBps / tx, 4) : 0;
    const busy = Math.min(0.95, 0.02 + (tx + rx) / 2e9);
    const cpuPerCore = Array.from({ length: this.o.cores }, () =>
      round(Math.min(1, busy * (0.6 + 0.8 * this.o.random())), 3),
    );
    return {
      atMs: Math.round(now - this.startedAt),
      session: this.state,
      paths: drafts,
      aggregate: { txBps: tx, rxBps: rx },
      cpuPerCore,
    };
  }

  private statusNow(): Status {
    this.advance();
    const up = this.state === 'connected' || this.state === 'degraded';
    return {
      target: this.target,
      state: this.state,
      mode: this.mode,
      scheduler: this.scheduler,
      nodeId: 'qe1-fake-laptop-0c9e11d2a4b7f355',
      helperVersion: this.o.helperVersion,
      connectedForMs: up ? Math.max(0, Math.round(this.o.now() - this.since)) : 0,
      activePaths: up ? this.paths().filter((p) => p.state === 'active').length : 0,
    };
  }

  /** Moves the fake state machine forward according to the clock. */
  private advance(): void {
    const elapsed = this.o.now() - this.since;
    // Transitions are dated when they would have happened, not when first observed.
    if (this.state === 'connecting' && elapsed >= this.o.connectDelayMs)
      this.enter('connected', this.since + this.o.connectDelayMs);
    if (this.state === 'disconnecting' && elapsed >= DISCONNECT_MS)
      this.enter('disconnected', this.since + DISCONNECT_MS);
    if (this.state === 'connected' || this.state === 'degraded') {
      const usable = this.ifaces.some((i) => i.up && i.enabled);
      this.state = usable ? 'connected' : 'degraded';
    }
  }

  private enter(s: SessionState, at: number = this.o.now()): void {
    this.state = s;
    this.since = at;
  }

  private paths(): Array<{ iface: InterfaceInfo; state: PathState }> {
    if (this.state !== 'connected' && this.state !== 'degraded') return [];
    const probing = this.o.now() - this.since < PROBE_MS;
    const usable = this.ifaces.filter((i) => i.enabled);
    if (this.mode === 'disable') {
      const first = usable.find((i) => i.up);
      return first ? [{ iface: first, state: probing ? 'probing' : 'active' }] : [];
    }
    let primaryTaken = false;
    return usable.map((iface) => {
      if (!iface.up) return { iface, state: 'failed' as const };
      if (probing) return { iface, state: 'probing' as const };
      if (this.mode === 'failover' && primaryTaken) return { iface, state: 'standby' as const };
      primaryTaken = true;
      return { iface, state: 'active' as const };
    });
  }

  private pathIdFor(name: string): number {
    let id = this.pathIds.get(name);
    if (id === undefined) {
      id = this.pathIds.size;
      this.pathIds.set(name, id);
    }
    return id;
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
