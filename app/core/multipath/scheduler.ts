// The scheduler contract (seed §8.4.3): given one packet's class and the paths' views, which
// path(s) carry it. Schedulers see PathIds and numbers only, so a future draft-multipath QUIC
// engine can replace one-connection-per-path without touching them (ARCHITECTURE decision 3).
//
// Hot path: `pick` allocates nothing. The caller owns a reusable `out` array (length >= 2) and a
// reusable PacketInfo; `pick` writes the chosen ids into out[0..n) and returns n:
//   0  nothing usable now: every eligible path's congestion window is full, or no path is
//      eligible. The caller drops the packet (it is IP: TCP copes) or queues it boundedly and
//      retries when a window opens.
//   1  send on out[0].
//   2  send a copy on out[0] and on out[1] (redundant); the receiver's reorder buffer drops the
//      second copy by sequence number.
//
// Congestion feedback (§8.4.4): no strategy ever returns a path without room for the packet
// (hasRoom): `canSend` for bulk, `canSendUrgent` for interactive and critical packets. Both are
// the driver's call. The driver gives interactive packets an allowance (the helper: a bulk send
// queue of a few ms, a much longer one for urgent packets, session.ts; the simulator: two
// datagrams, test/sim/lib/aimd.ts): bulk sees no room that much before the window is full, and
// interactive packets see it that much after. Then an SSH keystroke or a redundant VoIP copy never waits behind bulk, nor for a window
// that a loss just halved (quiche would only hold such a packet for up to one RTT anyway). The
// sim's latency (d) and redundancy (e) results depend on this allowance: without it about 5 % of
// redundant copies went out on one path only, and interactive loss was 0.56 % instead of 0.25 %.

import type { FlowId, Millis, PathId } from '../types.ts';
import type { PathView } from './path-view.ts';

/** Class of one packet, filled in by the flow classifier. Reuse one object per batch. */
export interface PacketInfo {
  flowId: FlowId;
  /** Bytes of the datagram to send. */
  size: number;
  /** Latency-sensitive (small, interactive flow: SSH, VoIP, DNS, games). */
  interactive: boolean;
  /** Must arrive even at extra cost (control, VoIP in redundant mode). */
  critical: boolean;
  /**
   * A bare TCP ACK or a SYN without ACK (flow.ts): nothing in its flow to keep in order with, so
   * the spreading strategies send it on the fastest path and the receiver does not even it out.
   */
  fastLane: boolean;
}

/** A reusable PacketInfo: bulk by default; `urgent` makes it interactive and critical. */
export function newPacketInfo(urgent = false): PacketInfo {
  return { flowId: 0 as FlowId, size: 0, interactive: urgent, critical: urgent, fastLane: false };
}

/** Whether `p` has room for `pkt`: interactive and critical packets may use the urgent room. */
export function hasRoom(p: PathView, pkt: PacketInfo): boolean {
  return pkt.interactive || pkt.critical ? p.canSendUrgent : p.canSend;
}

export interface Scheduler {
  pick(pkt: PacketInfo, paths: readonly PathView[], now: Millis, out: PathId[]): number;
}
