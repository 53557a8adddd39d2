// Bridges quiche's flush() to batched UDP writes: quiche writes each outgoing packet straight into
// a slot of a caller-owned PacketBatch (no copy, no allocation), and a full batch leaves in one
// sendmmsg. The caller calls send() once after flushing every connection that had work.

import { ipv4ToU32 } from '../io/ipv4.ts';
import type { PacketBatch } from '../io/packet-batch.ts';
import type { UdpPort } from '../io/ports.ts';
import type { HostPort, PacketWriter } from '../quic/types.ts';
import { gsoBurst } from './send-room.ts';

export class UdpSender implements PacketWriter {
  /** One view per slot, made once, so nextBuffer() allocates nothing. */
  private readonly views: Uint8Array[];
  private lastHost = '';
  private lastIp = 0;
  /** Packets the kernel would not take (socket buffer full): dropped, QUIC recovers them. */
  dropped = 0;
  sentPackets = 0;
  sentBytes = 0;
  /** Most datagrams of one GSO message for the packets committed from now on (0 = the kernel's
   *  most). A path's flush sets its own (PathLink.flush); other flushes (the listener's: Retry,
   *  handshakes, timers) use the default for a path of unknown capacity. */
  burst = gsoBurst(0);

  constructor(
    readonly port: UdpPort,
    readonly batch: PacketBatch,
  ) {
    this.views = [];
    for (let i = 0; i < batch.capacity; i++) {
      const off = i * batch.slotSize;
      this.views.push(batch.slab.subarray(off, off + batch.slotSize));
    }
  }

  nextBuffer(): Uint8Array | null {
    if (this.batch.count >= this.batch.capacity) this.send();
    if (this.batch.count >= this.batch.capacity) return null;
    return this.views[this.batch.count] ?? null;
  }

  commit(len: number, to: HostPort): void {
    const i = this.batch.count;
    this.batch.offsets[i] = i * this.batch.slotSize;
    this.batch.lens[i] = len;
    if (to.host !== this.lastHost) {
      this.lastHost = to.host;
      this.lastIp = ipv4ToU32(to.host);
    }
    this.batch.setAddr(i, this.lastIp, to.port);
    this.batch.bursts[i] = this.burst;
    this.batch.count = i + 1;
    this.sentBytes += len;
  }

  /** Writes everything committed so far; what the kernel refuses is dropped and counted. */
  send(): void {
    const n = this.batch.count;
    if (n === 0) return;
    let done = 0;
    if (!this.port.closed) {
      try {
        done = this.port.sendBatch(this.batch, 0);
      } catch {
        done = 0;
      }
    }
    this.sentPackets += done;
    this.dropped += n - done;
    this.batch.count = 0;
  }
}
