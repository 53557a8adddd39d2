// What a scheduler sees of a path: an id and numbers, nothing about sockets or quiche
// (ARCHITECTURE decision 3). The objects are caller-owned and reused: the path manager writes the
// metrics into them (`PathManager.writeView`) and the driver sets `canSend` from its congestion
// window before each scheduling round, so the packet path allocates nothing.

import type { PathId } from '../types.ts';
import type { PathStateKind } from './path-state.ts';

export interface PathView {
  readonly id: PathId;
  readonly state: PathStateKind;
  /** Configured preference, lower is preferred: the primary path in failover/disable modes. */
  readonly priority: number;
  /** Configured weight (`[multipath.weights]`), > 0. */
  readonly weight: number;
  /** Smoothed RTT in ms; NaN while unknown. */
  readonly srttMs: number;
  /** The path's unloaded RTT (windowed minimum) in ms; NaN while unknown. */
  readonly minRttMs: number;
  /** Capacity estimate in bytes/s; 0 while unknown. */
  readonly bandwidth: number;
  /** Windowed loss ratio, 0..1. */
  readonly lossRatio: number;
  /** Share factor from queue balancing (queue-balance.ts), (0, 1]; 1 when not balanced. */
  readonly balance: number;
  /**
   * Traffic sent on the path has gone unanswered for a probe timeout (path-manager.ts): a
   * blackhole, or a link that died without the interface going down. The scheduler moves traffic
   * off it while another usable path is not stalled, until anything on it is answered.
   */
  readonly stalled: boolean;
  /**
   * Traffic sent on the path is unanswered for 2 x RTT + the peer's ACK delay (answer-watch.ts):
   * perhaps a blackhole starting. The packets that take the fastest path rank it after every
   * path that is answering; bulk stays on it until it is stalled.
   */
  readonly quiet: boolean;
  /** The path has room for another bulk packet now (window open, short send queue). */
  readonly canSend: boolean;
  /**
   * Room for an interactive or critical packet: the send queue may be longer for these than for
   * bulk (a ping waits behind a few bulk packets instead of being dropped). Implied by canSend.
   */
  readonly canSendUrgent: boolean;
}

/** The writable form the owner of the views uses. */
export type MutablePathView = { -readonly [K in keyof PathView]: PathView[K] };

export function newPathView(id: PathId): MutablePathView {
  return {
    id,
    state: 'probing',
    priority: 0,
    weight: 1,
    srttMs: Number.NaN,
    minRttMs: Number.NaN,
    bandwidth: 0,
    lossRatio: 0,
    balance: 1,
    stalled: false,
    quiet: false,
    canSend: true,
    canSendUrgent: true,
  };
}
