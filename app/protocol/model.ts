// Domain objects carried by the control protocol: the helper's status, interfaces, peers and
// statistics samples. Results from the helper are `looseObject`s so an older client accepts a
// newer helper's extra fields (additive evolution); every string and array is bounded so a
// corrupt or hostile stream cannot make a client allocate without limit.
import { z } from 'zod';

/**
 * Interface names: what Linux accepts (IFNAMSIZ = 16 including the NUL), and no '/' or spaces,
 * so a name can never be a path or a shell fragment.
 */
export const InterfaceNameSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'not an interface name');

export const ModeSchema = z.enum(['disable', 'aggregate', 'failover']);
export type Mode = z.infer<typeof ModeSchema>;

export const SchedulerNameSchema = z.enum(['round-robin', 'weighted', 'latency', 'redundant']);
export type SchedulerName = z.infer<typeof SchedulerNameSchema>;

/** What the user asked for; kept apart from the actual state (STYLE rule 6). */
export const TargetStateSchema = z.enum(['connected', 'disconnected']);
export type TargetState = z.infer<typeof TargetStateSchema>;

/**
 * Actual tunnel state.
 *   disconnected ──connect──► connecting ──► connected ◄──► degraded
 *        ▲                        │              │
 *        └──── disconnecting ◄────┴──────────────┘        any ──► error (retries per target)
 */
export const SessionStateSchema = z.enum([
  'disconnected',
  'connecting',
  'connected',
  'degraded',
  'disconnecting',
  'error',
]);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const PathStateSchema = z.enum(['probing', 'active', 'standby', 'failed']);
export type PathState = z.infer<typeof PathStateSchema>;

export const InterfaceKindSchema = z.enum(['wifi', 'cellular', 'ethernet', 'other']);
export type InterfaceKind = z.infer<typeof InterfaceKindSchema>;

const shortText = z.string().max(256);
const nonNeg = z.number().nonnegative();
const fraction = z.number().min(0).max(1);

export const StatusSchema = z.looseObject({
  target: TargetStateSchema,
  state: SessionStateSchema,
  /** Present when state is 'error' (or the last attempt failed): stable code + human message. */
  lastError: z.optional(z.looseObject({ code: z.string().max(64), message: shortText })),
  mode: ModeSchema,
  scheduler: SchedulerNameSchema,
  /** This node's identity (printable hash of its public key), when an identity is loaded. */
  nodeId: z.optional(z.string().max(128)),
  /** Helper build version, e.g. "0.1.0". */
  helperVersion: z.string().max(64),
  /** Milliseconds the session has been connected (0 when not connected). */
  connectedForMs: nonNeg,
  /** Paths in state 'active'. */
  activePaths: z.int().nonnegative(),
});
export type Status = z.infer<typeof StatusSchema>;

export const InterfaceInfoSchema = z.looseObject({
  name: InterfaceNameSchema,
  kind: InterfaceKindSchema,
  /** Addresses in textual form ("192.0.2.7/24", "2001:db8::7/64"). */
  addresses: z.array(z.string().max(64)).max(64),
  /** Link is up (operstate), as reported by the OS. */
  up: z.boolean(),
  /** The user allows the tunnel to use this interface. */
  enabled: z.boolean(),
  /** Traffic is billed (cellular, tethering); the helper prefers other paths. */
  metered: z.boolean(),
});
export type InterfaceInfo = z.infer<typeof InterfaceInfoSchema>;

export const PeerInfoSchema = z.looseObject({
  nodeId: z.string().max(128),
  name: z.optional(shortText),
  /** Known endpoints "host:port" or "[v6]:port". */
  endpoints: z.array(z.string().max(64)).max(64),
  /** Prefixes routed to this peer ("198.18.0.0/24"). */
  routes: z.array(z.string().max(64)).max(1024),
  connected: z.boolean(),
  /** Paths currently open to this peer. */
  paths: z.int().nonnegative(),
  /** How traffic toward this peer is scheduled (a gateway follows what the peer asked for). */
  mode: z.optional(ModeSchema),
  scheduler: z.optional(SchedulerNameSchema),
  /** The mode and scheduler are the peer's choice (its `schedule` message), not our config. */
  peerChose: z.optional(z.boolean()),
});
export type PeerInfo = z.infer<typeof PeerInfoSchema>;

/** One path's numbers at one instant. Rates are over the last sampling interval. */
export const PathSampleSchema = z.looseObject({
  pathId: z.int().nonnegative(),
  interface: InterfaceNameSchema,
  state: PathStateSchema,
  /** Smoothed RTT, milliseconds. */
  rttMs: nonNeg,
  /** RTT variance (mean deviation), milliseconds. */
  rttVarMs: nonNeg,
  /** Unloaded RTT: the lowest RTT seen over the last 30 s, milliseconds; absent until measured. */
  minRttMs: nonNeg.optional(),
  /** Loss ratio over the interval, 0..1. */
  loss: fraction,
  /** Throughput in bits per second. */
  txBps: nonNeg,
  rxBps: nonNeg,
  /** Share of the session's transmitted bytes carried by this path, 0..1. */
  share: fraction,
  /** Congestion window, bytes. */
  cwndBytes: nonNeg,
  /** Reordering events since the path opened (cumulative counter). */
  reorderEvents: z.int().nonnegative(),
  /** Bulk pacing rate of the latency strategy, bits per second; absent while bulk is not paced. */
  bulkPaceBps: nonNeg.optional(),
  /** Bulk waiting for the pacer on this path, bytes (held-bulk.ts); absent when none. */
  heldBytes: nonNeg.optional(),
  /** Queue-balancing share factor of the weighted strategy, (0, 1]; absent when not balancing. */
  balance: fraction.optional(),
  /**
   * Wait added to spread packets that arrive on this path so they keep pace with the slowest
   * path (delay equalization, aggregate mode), milliseconds; absent when none.
   */
  equalizeMs: nonNeg.optional(),
  /**
   * Traffic sent on the path has gone unanswered for the silence timeout (a blackhole, or a link
   * that died without going down): no new traffic goes there while another path answers, until
   * this one answers again or is failed. Absent when not stalled.
   */
  stalled: z.boolean().optional(),
});
export type PathSample = z.infer<typeof PathSampleSchema>;

export const StatsSampleSchema = z.looseObject({
  /** Helper's monotonic clock, milliseconds since it started. */
  atMs: nonNeg,
  session: SessionStateSchema,
  paths: z.array(PathSampleSchema).max(256),
  aggregate: z.looseObject({ txBps: nonNeg, rxBps: nonNeg }),
  /** Helper CPU use per core, each 0..1 (one entry per core the helper runs on). */
  cpuPerCore: z.array(fraction).max(1024),
  /** Cumulative data-plane counters (drops by reason, forwarded...), by name. Optional, additive. */
  counters: z.optional(z.record(z.string().max(64), z.number()).refine((r) => Object.keys(r).length <= 128)),
});
export type StatsSample = z.infer<typeof StatsSampleSchema>;
