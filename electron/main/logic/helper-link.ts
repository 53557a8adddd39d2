// The UI's link to the helper: one control connection, kept alive with bounded backoff, turned
// into view-model snapshots and a rate-limited stats stream. Used by Electron main and by the web
// bridge (app/web-bridge), so both feed the renderer the same thing. No Electron, no timers of its
// own (the clock is injected), no socket of its own (`open` is injected; in production it is
// ControlClient.connect from app/protocol/client.ts).
//
//   down ──open()──► up (watching) ──close/error──► down (retry after backoff)
//     ▲                                                │
//     └────────────────────────────────────────────────┘
//
// The helper's watch stream carries samples only; status, interfaces and peers are re-read when a
// sample shows a session change or a different path set, after every verb, and every `refreshMs`
// as a safety net (the protocol has no interface-change event yet).

import type {
  InterfaceInfo,
  MethodName,
  ParamsOf,
  PeerInfo,
  ResultOf,
  Role,
  SessionState,
  StatsSample,
  Status,
  WatchEvent,
} from '../../../app/protocol/schema.ts';
import type { DesktopApi, Result } from '../../../app/renderer/bridge.ts';
import { fail, ok } from '../../../app/renderer/bridge.ts';
import type { BridgeEvent, Mode, Scheduler, Snapshot } from '../../../app/renderer/model.ts';
import {
  helperDownReason,
  snapshotFromHelper,
  snapshotHelperDown,
  toStatsView,
} from '../../../app/renderer/protocol-adapter.ts';
import { Backoff } from './backoff.ts';
import type { Cancel, Clock } from './clock.ts';
import { type Coalescer, createCoalescer } from './coalescer.ts';

/** What the link needs from a control connection; ControlClient satisfies it. */
export interface ControlPort {
  readonly role: Role;
  readonly helperVersion: string;
  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  watch(intervalMs: number, onEvent: (e: WatchEvent) => void): Promise<{ stop(): Promise<void> }>;
  onClose(fn: (err: { code: string; message: string } | null) => void): void;
  close(): void;
}

export interface HelperLinkOptions {
  /** Opens and handshakes one connection; rejects with an error carrying a `code` string. */
  open: () => Promise<ControlPort>;
  clock: Clock;
  backoff?: Backoff;
  /** Helper-side sample interval. 500 ms: smooth enough for charts, cheap for the helper. */
  watchIntervalMs?: number;
  /** At most one stats event per this many ms reaches subscribers (250 ms = 4 Hz). */
  uiMinIntervalMs?: number;
  /** Safety-net re-read of status/interfaces/peers while up. */
  refreshMs?: number;
  /** Whether the helper is installed (decides "not installed" vs "not running"). */
  isInstalled?: () => boolean;
  log?: (msg: string) => void;
}

interface Facts {
  status: Status;
  state: SessionState;
  interfaces: InterfaceInfo[];
  peers: PeerInfo[];
  sample: StatsSample | null;
  uptimeBase: { connectedForMs: number; at: number };
}

function errorOf(e: unknown): { code: string; message: string } {
  if (typeof e === 'object' && e !== null) {
    const r = e as { code?: unknown; message?: unknown };
    const code = typeof r.code === 'string' ? r.code : 'internal';
    const message = typeof r.message === 'string' ? r.message : 'unknown error';
    return { code, message };
  }
  return { code: 'internal', message: String(e) };
}

const pathKey = (s: StatsSample | null): string =>
  s ? s.paths.map((p) => `${p.pathId}:${p.interface}`).join(',') : '';

export class HelperLink implements DesktopApi {
  private readonly subscribers = new Set<(e: BridgeEvent) => void>();
  private readonly backoff: Backoff;
  private readonly coalescer: Coalescer<BridgeEvent>;
  private readonly watchIntervalMs: number;
  private readonly refreshMs: number;
  private port: ControlPort | null = null;
  private facts: Facts | null = null;
  private snap: Snapshot;
  private gen = 0;
  private started = false;
  private stopped = false;
  private retryTimer: Cancel | null = null;
  private refreshTimer: Cancel | null = null;
  /** Connections opened so far (tests and diagnostics). */
  connectAttempts = 0;

  constructor(private readonly opts: HelperLinkOptions) {
    this.backoff = opts.backoff ?? new Backoff();
    this.watchIntervalMs = opts.watchIntervalMs ?? 500;
    this.refreshMs = opts.refreshMs ?? 10_000;
    this.coalescer = createCoalescer(opts.uiMinIntervalMs ?? 250, opts.clock, (e) => this.emit(e));
    this.snap = snapshotHelperDown(null, { reason: 'starting', detail: 'Opening the control socket.' });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    this.gen++;
    this.retryTimer?.();
    this.refreshTimer?.();
    this.coalescer.cancel();
    const p = this.port;
    this.port = null;
    p?.close();
    this.subscribers.clear();
  }

  get isUp(): boolean {
    return this.port !== null;
  }

  // ── DesktopApi ─────────────────────────────────────────────────────────────────────────────

  getSnapshot(): Promise<Result<Snapshot>> {
    return Promise.resolve(ok(this.snap));
  }

  /** Synchronous form for Electron main (tray). */
  get snapshot(): Snapshot {
    return this.snap;
  }

  subscribe(cb: (e: BridgeEvent) => void): () => void {
    this.subscribers.add(cb);
    return () => {
      this.subscribers.delete(cb);
    };
  }

  connect(): Promise<Result<null>> {
    return this.call('connect', {});
  }
  disconnect(): Promise<Result<null>> {
    return this.call('disconnect', {});
  }
  setInterfaceEnabled(name: string, on: boolean): Promise<Result<null>> {
    return this.call('setInterfaceEnabled', { name, enabled: on });
  }
  setMode(mode: Mode): Promise<Result<null>> {
    return this.call('setMode', { mode });
  }
  setScheduler(scheduler: Scheduler): Promise<Result<null>> {
    return this.call('setScheduler', { scheduler });
  }

  // ── connection lifecycle ─────────────────────────────────────────────────────────────────────

  private async attempt(): Promise<void> {
    this.retryTimer = null;
    if (this.stopped) return;
    const gen = ++this.gen;
    this.connectAttempts++;
    let port: ControlPort;
    try {
      port = await this.opts.open();
    } catch (e) {
      if (gen === this.gen) this.goDown(errorOf(e));
      return;
    }
    if (gen !== this.gen || this.stopped) {
      port.close();
      return;
    }
    this.port = port;
    port.onClose((err) => {
      if (this.port !== port) return;
      this.port = null;
      this.goDown(err ?? { code: 'connection_closed', message: 'The helper closed the connection.' });
    });
    try {
      await port.watch(this.watchIntervalMs, (ev) => {
        if (this.port === port) this.onWatchEvent(ev);
      });
    } catch (e) {
      if (this.port !== port) return;
      this.port = null;
      port.close();
      this.goDown(errorOf(e));
      return;
    }
    this.backoff.reset();
    this.armRefresh();
  }

  private goDown(err: { code: string; message: string }): void {
    this.gen++;
    this.refreshTimer?.();
    this.refreshTimer = null;
    this.coalescer.cancel();
    this.facts = null;
    if (this.stopped) return;
    const delay = this.backoff.next();
    const installed = this.opts.isInstalled ? this.opts.isInstalled() : true;
    this.snap = snapshotHelperDown(this.snap, {
      reason: helperDownReason(err.code, installed),
      detail: err.message,
      retryInMs: delay,
    });
    this.opts.log?.(`helper down (${err.code}): ${err.message}; retry in ${delay} ms`);
    this.emit({ kind: 'snapshot', snapshot: this.snap });
    this.retryTimer = this.opts.clock.setTimeout(() => void this.attempt(), delay);
  }

  private armRefresh(): void {
    this.refreshTimer?.();
    this.refreshTimer = this.opts.clock.setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh().then(() => {
        if (this.port) this.armRefresh();
      });
    }, this.refreshMs);
  }

  private onWatchEvent(ev: WatchEvent): void {
    const now = this.opts.clock.now();
    if (ev.kind === 'snapshot') {
      this.facts = {
        status: ev.status,
        state: ev.sample.session,
        interfaces: [...ev.interfaces],
        peers: [...ev.peers],
        sample: ev.sample,
        uptimeBase: { connectedForMs: ev.status.connectedForMs, at: now },
      };
      this.publishSnapshot();
      return;
    }
    const f = this.facts;
    if (!f) return; // a sample before the snapshot: the helper promises this never happens
    const prev = f.sample;
    f.sample = ev.sample;
    if (ev.sample.session !== f.state || pathKey(prev) !== pathKey(ev.sample)) {
      f.state = ev.sample.session;
      this.publishSnapshot();
      void this.refresh();
      return;
    }
    this.coalescer.push({ kind: 'stats', stats: toStatsView(ev.sample, this.uptime(f)) });
  }

  private uptime(f: Facts): number {
    if (f.state !== 'connected' && f.state !== 'degraded') return 0;
    return f.uptimeBase.connectedForMs + Math.max(0, this.opts.clock.now() - f.uptimeBase.at);
  }

  private setStatus(f: Facts, s: Status): void {
    f.status = s;
    f.state = s.state;
    f.uptimeBase = { connectedForMs: s.connectedForMs, at: this.opts.clock.now() };
  }

  private async refresh(): Promise<void> {
    const port = this.port;
    if (!port) return;
    const gen = this.gen;
    try {
      const [status, interfaces, peers] = await Promise.all([
        port.request('status', {}),
        port.request('listInterfaces', {}),
        port.request('listPeers', {}),
      ]);
      const f = this.facts;
      if (gen !== this.gen || !f) return;
      this.setStatus(f, status);
      f.interfaces = interfaces;
      f.peers = peers;
      this.publishSnapshot();
    } catch (e) {
      this.opts.log?.(`refresh failed: ${errorOf(e).message}`);
    }
  }

  private publishSnapshot(): void {
    const f = this.facts;
    const port = this.port;
    if (!f || !port) return;
    this.coalescer.cancel();
    this.snap = snapshotFromHelper({
      status: f.status,
      state: f.state,
      interfaces: f.interfaces,
      peers: f.peers,
      sample: f.sample,
      uptimeMs: this.uptime(f),
      readOnly: port.role !== 'admin',
    });
    this.emit({ kind: 'snapshot', snapshot: this.snap });
  }

  private async call<M extends 'connect' | 'disconnect' | 'setInterfaceEnabled' | 'setMode' | 'setScheduler'>(
    method: M,
    params: ParamsOf<M>,
  ): Promise<Result<null>> {
    const port = this.port;
    if (!port) return fail('helper_down', 'The helper is not running.');
    const gen = this.gen;
    try {
      const result = await port.request(method, params);
      const f = this.facts;
      if (gen === this.gen && f) {
        if (method === 'setInterfaceEnabled') {
          const info = result as InterfaceInfo;
          f.interfaces = f.interfaces.map((i) => (i.name === info.name ? info : i));
        } else {
          this.setStatus(f, result as Status);
        }
        this.publishSnapshot();
      }
      return ok(null);
    } catch (e) {
      const err = errorOf(e);
      return fail(err.code, err.message);
    }
  }

  private emit(e: BridgeEvent): void {
    if (e.kind === 'stats' && this.snap.state !== 'helper-down') {
      // Keep the snapshot's latest sample current, so a new subscriber draws at once.
      this.snap = { ...this.snap, stats: e.stats };
    }
    for (const cb of this.subscribers) {
      try {
        cb(e);
      } catch (err) {
        this.opts.log?.(`subscriber threw: ${errorOf(err).message}`);
      }
    }
  }
}
