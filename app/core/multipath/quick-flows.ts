// Which packets of an aggregate (weighted) session skip the spreading: interactive flows take the
// fastest path and are not evened out at the receiver, as bare ACKs and SYNs already do.
//
// Why: the weighted strategy spreads every flow over every path and the receiver holds what came
// on a fast path until the slow path's packets would have arrived (delay-line.ts), so that one
// TCP flow sees one RTT. Right for bulk; wrong for a ping, a DNS lookup or an SSH keystroke,
// which then cross at the slowest path's delay. Measured over 10 ms + 50 ms paths in aggregate
// mode: ping through the idle tunnel 50.8-55.0 ms (avg 52.1) where the fast path alone gives 10.
//
// Which flows: those that say they are interactive and are not bulk.
// - TCP only by port (SSH, DNS, RDP, SIP, ...) or by DSCP >= CS4, and then every packet of the
//   flow: a flow's RTT samples must come from one kind of crossing. A TCP flow whose small
//   packets went fast and whose large ones were evened out would take the fast crossing as its
//   minimum RTT, and a delay-based congestion control (BBR) keeps 2 x bandwidth x minimum RTT in
//   flight: measured, runs over 10/50 ms paths decayed from 170 to 46 Mbit/s (delay-line.ts).
//   So a small TCP packet on any other port keeps its place (iperf3 sends a 37-byte cookie
//   before its bulk; a TLS handshake is small before a large upload). Bulk over SSH (scp) then
//   runs over the fastest path alone.
// - UDP and ICMP that classify as interactive (small payload, port, DSCP), unless the flow sent
//   a large packet within BULK_MEMORY_MS: a QUIC connection (its Initials are padded to 1200
//   bytes) or a video stream stays spread, so its RTT stays one kind too; a flow idle in large
//   packets for that long has had its minimum-RTT window (BBR's is 10 s) run out.
// Memory: a direct-mapped table by flow ID (4096 slots, fixed): two flows on one slot share it,
// and the loser may be taken for interactive once; harmless.

import { INTERACTIVE_MAX_PAYLOAD, INTERACTIVE_MIN_DSCP, onInteractivePort } from '../flow.ts';
import { PROTO_TCP } from '../ip-packet.ts';
import type { Millis } from '../types.ts';

/** A flow that sent a large packet this recently is bulk, ms (BBR's minimum-RTT window). */
export const BULK_MEMORY_MS = 10_000;
const SLOTS = 4096;
const NONE = -1;

/** What the decision reads of a classified packet (flow.ts FlowInfo). */
export interface QuickFacts {
  flowId: number;
  proto: number;
  dscp: number;
  srcPort: number;
  dstPort: number;
  payloadSize: number;
  interactive: boolean;
}

export class QuickFlows {
  private readonly flow = new Float64Array(SLOTS).fill(NONE);
  private readonly largeAt = new Float64Array(SLOTS);

  /** True when the packet goes on the fastest path, not spread and not evened out. */
  isQuick(f: QuickFacts, now: Millis): boolean {
    if (f.proto === PROTO_TCP) return f.dscp >= INTERACTIVE_MIN_DSCP || onInteractivePort(f);
    const i = f.flowId & (SLOTS - 1);
    if (f.payloadSize > INTERACTIVE_MAX_PAYLOAD && f.dscp < INTERACTIVE_MIN_DSCP && !onInteractivePort(f)) {
      this.flow[i] = f.flowId;
      this.largeAt[i] = now;
      return false;
    }
    if (!f.interactive) return false;
    return this.flow[i] !== f.flowId || now - (this.largeAt[i] as number) >= BULK_MEMORY_MS;
  }
}
