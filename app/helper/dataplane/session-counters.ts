// A session's data-plane counters, summed over sessions into the helper's flat record
// (helper-counters.ts: `quicether watch --json`, tests, the lab).

export interface SessionCounters {
  txPackets: number;
  rxPackets: number;
  /** No path could take the packet (all failed, or every window full). */
  noPathDrops: number;
  /** Inner source address not in the peer's allowed prefixes (cryptokey routing, SECURITY P6). */
  spoofDrops: number;
  /** Datagrams whose encapsulation header did not decode. */
  badHeaderDrops: number;
  /** Redundant copies sent beyond the first. */
  redundantCopies: number;
  /** Bare ACKs and SYNs sent again on another path after theirs died (ack-replay.ts). */
  ackReplays: number;
  /** Datagrams taken back from the queue of a path that stopped answering and sent on another
   *  (PathSender.rescueQueued). */
  rescuedDatagrams: number;
  /** Bulk datagrams that waited for a path's pacer instead of going at once (held-bulk.ts). */
  bulkHeld: number;
  /** Packets sent / received with compressed inner headers (header-compress.ts). */
  compressedTx: number;
  compressedRx: number;
  /** Compressed packets that named a context we do not hold (dropped; the peer is told). */
  unknownContextDrops: number;
  /** Times a path turned quiet: its traffic unanswered, the fastest-path packets moved off it
   *  (answer-watch.ts). */
  quietTurns: number;
  /** pathHearing reports we sent: we stopped or started again hearing the peer on a path. */
  hearingReports: number;
  /** Times the peer said it does not hear us on a path (peer-hearing.ts: a one-way blackhole). */
  peerDeafTurns: number;
}

export function newSessionCounters(): SessionCounters {
  return {
    txPackets: 0,
    rxPackets: 0,
    noPathDrops: 0,
    spoofDrops: 0,
    badHeaderDrops: 0,
    redundantCopies: 0,
    ackReplays: 0,
    rescuedDatagrams: 0,
    bulkHeld: 0,
    compressedTx: 0,
    compressedRx: 0,
    unknownContextDrops: 0,
    quietTurns: 0,
    hearingReports: 0,
    peerDeafTurns: 0,
  };
}
