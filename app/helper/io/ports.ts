// The data plane's I/O ports. Every call moves a batch of packets through a caller-owned
// PacketBatch; no call allocates per packet on the native backends.
//
// Readiness (identical for every implementation, so fakes behave like the real thing):
//   onReadable(cb): level-triggered. While cb is set and packets are pending, cb runs once per
//     event-loop turn (never synchronously inside onReadable or a write). cb should drain by
//     calling readBatch/recvBatch until it returns less than the batch capacity; leftovers simply
//     trigger cb again on the next turn. onReadable(null) stops notifications (back-pressure).
//   onWritable(cb): one-shot. Arm it after a write consumed fewer packets than offered (the
//     socket buffer was full); cb runs once when more can be written, then is forgotten.
//   Callbacks must not throw: a throw surfaces as an uncaught exception (as for any event) and
//   the read callback is unset, so it cannot throw again every turn.
//
// Reads fill the batch from slot 0 and set batch.count; they return 0 when nothing is pending.
// Writes send batch packets start..batch.count-1 and return how many were consumed (sent, or
// dropped for a per-packet error, which is counted); fewer than offered means "full, retry from
// start + consumed after onWritable". After close(), reads and writes throw IoError code EBADF
// and no callback runs again. close() is idempotent.
import type { PacketBatch } from './packet-batch.ts';

export interface TunPort {
  /** The kernel's interface name. */
  readonly name: string;
  /** Link MTU in bytes: the largest packet a read returns or a write accepts. */
  readonly mtu: number;
  readonly closed: boolean;
  readBatch(batch: PacketBatch): number;
  writeBatch(batch: PacketBatch, start?: number): number;
  onReadable(cb: (() => void) | null): void;
  onWritable(cb: (() => void) | null): void;
  stats(): TunStats;
  /**
   * True when packets are already read from the device but not yet handed out (an offload TUN
   * cut a super-packet into more segments than the batch had room for): read again even though
   * onReadable may not fire. Ports without offload may leave it out.
   */
  readPending?(): boolean;
  close(): void;
}

export interface TunStats {
  rxPackets: number;
  txPackets: number;
  /** Packets written but rejected (malformed, oversize) and dropped. */
  txErrors: number;
  /** Offload work (offload TUN only): super-packets cut, segments merged, see native/index.ts. */
  offload?: {
    superReads: number;
    segmentsOut: number;
    mergedWrites: number;
    segmentsMerged: number;
    badOffload: number;
  };
}

export type UdpBackend = 'native' | 'dgram' | 'fake';

export interface UdpEndpoint {
  /** IPv4 host-order u32 (see ipv4.ts). */
  ip: number;
  port: number;
}

export interface UdpPort {
  readonly backend: UdpBackend;
  /** The bound address and port (the port the kernel picked when 0 was asked). */
  readonly localAddress: UdpEndpoint;
  /** The interface the socket is bound to (SO_BINDTODEVICE), or null when not bound to one. */
  readonly device: string | null;
  readonly closed: boolean;
  /** Fills batch with datagrams and their source addresses (batch.addrs). */
  recvBatch(batch: PacketBatch): number;
  /** Sends batch packets start..count-1, each to its batch.addrs destination. */
  sendBatch(batch: PacketBatch, start?: number): number;
  onReadable(cb: (() => void) | null): void;
  onWritable(cb: (() => void) | null): void;
  stats(): UdpStats;
  close(): void;
}

export interface UdpStats {
  rxPackets: number;
  txPackets: number;
  /** Datagrams lost before a read: a full receive queue (fallback/fake) or truncation (native). */
  rxDropped: number;
  /** Datagrams dropped on send for a per-packet error (EMSGSIZE, ENETUNREACH...). */
  txErrors: number;
  /** The errno name of the last send error, or "". */
  lastTxError: string;
  /** Native only: messages that carried several datagrams at once (UDP GSO). */
  gsoMessages?: number;
  /** Native only: how long datagrams sat in the socket before a read (see RX_WAIT_BOUNDS_MS). */
  rxWait?: { sumUs: number; count: number; hist: number[] };
}

/** Upper bounds of rxWait.hist's buckets (the last bucket is everything longer). */
export const RX_WAIT_BOUNDS_MS = [1, 5, 20, 50] as const;
