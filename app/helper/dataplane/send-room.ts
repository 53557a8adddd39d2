// How many datagrams a path may hold in quiche's send queue before the scheduler sees it full,
// and how many our UDP may send back to back in one GSO message.

/**
 * Bulk room: a path whose QUIC DATAGRAM queue holds about BULK_QUEUE_MS of its capacity has no
 * room for bulk (within 16..128 datagrams; 96 while the capacity is unknown). quiche queues
 * datagrams only when the congestion window is full, so this is "never queue onto a path whose
 * window is full" plus a standing queue that one inner TCP flow needs as its bottleneck buffer:
 * with 16 datagrams instead of 96, one flow over 10/50 ms paths fell from 164 to 92 Mbit/s.
 * The session flushes a path as soon as it reaches the limit (wantFlush), so a TUN batch is never
 * cut to the limit. Interactive and critical packets have room until quiche's own queue is half
 * full (urgent room): they wait behind the bulk queue but are not dropped for it.
 */
const BULK_QUEUE_MS = 12;
const BULK_QUEUE_MIN = 16;
const BULK_QUEUE_MAX = 128;
const BULK_QUEUE_UNKNOWN = 96;
/** Size of a full datagram, for turning a capacity into a datagram count. */
const DATAGRAM_BYTES = 1400;

/**
 * GSO burst: the most datagrams our UDP sends back to back in one GSO message on a path, about
 * GSO_BURST_MS of its rate (within 2..64; 8 while the rate is unknown), the way Linux TCP
 * sizes its TSO bursts (tcp_tso_autosize, ~1 ms of the pacing rate). A qdisc queues and drops a
 * GSO message whole, so a full queue ahead of the path lost up to 43 datagrams in a row: with
 * every burst up to the kernel's 64, one TCP flow over 10 + 50 ms paths read 163.1 / 170.0 /
 * 164.1 / 166.5 Mbit/s, with 8 (~1 ms at 100 Mbit/s) 173.1 / 170.5 / 172.3 / 172.2. The rate is
 * the capacity estimate or, when more, what the path carries (PathLink.refreshRoom): an unshaped path that
 * never lost a packet has no capacity estimate, and at 1+ Gbit/s it keeps bursts of up to 64.
 */
const GSO_BURST_MS = 1;
const GSO_BURST_MIN = 2;
const GSO_BURST_MAX = 64;
const GSO_BURST_UNKNOWN = 8;

/** GSO burst of a path, in datagrams, from its capacity estimate and what it carries (bytes/s
 *  each, 0 = unknown): the larger of the two is its rate. */
export function gsoBurst(bandwidth: number, throughput = 0): number {
  const rate = Math.max(bandwidth > 0 ? bandwidth : 0, throughput > 0 ? throughput : 0);
  if (!(rate > 0)) return GSO_BURST_UNKNOWN;
  const n = Math.floor((rate * GSO_BURST_MS) / 1000 / DATAGRAM_BYTES);
  return Math.min(GSO_BURST_MAX, Math.max(GSO_BURST_MIN, n));
}

/** Bulk room of a path, in queued datagrams, from its capacity estimate (bytes/s; 0 = unknown). */
export function bulkQueueLimit(bandwidth: number): number {
  if (!(bandwidth > 0)) return BULK_QUEUE_UNKNOWN;
  const n = Math.ceil((bandwidth * BULK_QUEUE_MS) / 1000 / DATAGRAM_BYTES);
  return Math.min(BULK_QUEUE_MAX, Math.max(BULK_QUEUE_MIN, n));
}
