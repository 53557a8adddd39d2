// The renderer's own view model. It is deliberately independent of the helper's wire protocol
// (app/protocol): Electron main and the web bridge map protocol messages into these shapes with
// protocol-adapter.ts, so a protocol change touches one file, not the UI.
//
// Units: times in milliseconds, rates in bits per second, ratios in 0..1.

/**
 * What the user sees for the tunnel. The first six mirror the helper's session state; the last
 * is ours: the UI could not reach the helper at all.
 *
 *   disconnected ──connect──► connecting ──► connected ◄──► degraded
 *        ▲                        │              │
 *        └──── disconnecting ◄────┴──────────────┘     any ──► error
 *   (helper unreachable) ──► helper-down ──(helper answers)──► whatever it reports
 */
export type TunnelState =
  | 'disconnected'
  | 'connecting'
  | 'connected'
  | 'degraded'
  | 'disconnecting'
  | 'error'
  | 'helper-down';

export const TUNNEL_STATES: readonly TunnelState[] = [
  'disconnected',
  'connecting',
  'connected',
  'degraded',
  'disconnecting',
  'error',
  'helper-down',
];

export type InterfaceKind = 'wifi' | 'cellular' | 'ethernet' | 'other';
export type PathState = 'probing' | 'active' | 'standby' | 'failed';
export type Mode = 'disable' | 'aggregate' | 'failover';
export type Scheduler = 'round-robin' | 'weighted' | 'latency' | 'redundant';

export const MODES: readonly Mode[] = ['aggregate', 'failover', 'disable'];
export const SCHEDULERS: readonly Scheduler[] = ['weighted', 'latency', 'round-robin', 'redundant'];

export interface InterfaceView {
  readonly name: string;
  readonly kind: InterfaceKind;
  /** Textual addresses with prefix length ("192.0.2.7/24"). */
  readonly addresses: readonly string[];
  /** Link is up, as the OS reports it. */
  readonly up: boolean;
  /** The user allows the tunnel on this interface. */
  readonly enabled: boolean;
  /** Billed traffic (cellular, tethering). */
  readonly metered: boolean;
}

/** One path at one instant. */
export interface PathSampleView {
  readonly pathId: number;
  readonly interface: string;
  readonly state: PathState;
  readonly rttMs: number;
  readonly rttVarMs: number;
  readonly lossRatio: number;
  readonly txBps: number;
  readonly rxBps: number;
  /** Share of the session's transmitted bytes on this path, 0..1. */
  readonly share: number;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  /** Reordering events since the path opened (cumulative). */
  readonly reorderEvents: number;
  /**
   * Traffic sent on the path has gone unanswered for the silence timeout: the helper sends on
   * the other paths until this one answers again or is marked failed.
   */
  readonly stalled: boolean;
}

/** One statistics sample of the whole tunnel. */
export interface StatsView {
  /** Helper's monotonic clock, ms. Only differences between samples mean anything. */
  readonly atMs: number;
  readonly paths: readonly PathSampleView[];
  readonly aggregate: { readonly txBps: number; readonly rxBps: number };
  /** Session uptime at this sample, ms (0 when not connected). */
  readonly sessionUptimeMs: number;
}

export interface PeerView {
  readonly nodeId: string;
  readonly name?: string;
  /** First known endpoint ("203.0.113.9:4433"), if any. */
  readonly endpoint?: string;
  readonly connected: boolean;
}

/** Why the UI cannot talk to the helper, each with a different remedy. */
export type HelperDownReason =
  | 'not-installed'
  | 'not-running'
  | 'permission-denied'
  | 'incompatible'
  | 'unreachable'
  /** First attempt still in flight: not an error yet. */
  | 'starting';

export interface HelperView {
  readonly reachable: boolean;
  readonly reason?: HelperDownReason;
  /** Human sentence from the last failure. */
  readonly detail?: string;
  readonly version?: string;
  /** Read-only callers see everything but cannot change anything. */
  readonly readOnly: boolean;
  /** When down: ms until the next reconnection attempt. */
  readonly retryInMs?: number;
}

export type BannerLevel = 'info' | 'warning' | 'error';

export interface Banner {
  /** Stable id (one banner per id), used as React key and by tests. */
  readonly id: 'degraded' | 'error' | 'helper-down' | 'read-only';
  readonly level: BannerLevel;
  readonly title: string;
  readonly detail: string;
  /** What the user can do about it, e.g. a command to run. */
  readonly remedy?: string;
}

/** Everything except the stats history: small, sent whole whenever it changes. */
export interface Snapshot {
  readonly state: TunnelState;
  /** What the user asked for, kept apart from `state`. */
  readonly target: 'connected' | 'disconnected';
  readonly peer: PeerView | null;
  readonly mode: Mode;
  readonly scheduler: Scheduler;
  readonly interfaces: readonly InterfaceView[];
  readonly lastError?: { readonly code: string; readonly message: string };
  readonly helper: HelperView;
  readonly banners: readonly Banner[];
  /** The most recent sample, so a fresh subscriber can draw at once. */
  readonly stats: StatsView | null;
}

/** What a subscriber receives. `snapshot` replaces everything; `stats` appends one sample. */
export type BridgeEvent =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'stats'; readonly stats: StatsView };
