// The last bare TCP ACKs and SYNs sent on one path, so that when the path dies they can go out
// again on another one.
//
// Why: a path that dies takes with it what was in flight on it, and the sender only learns of the
// death some time later (an interface event: tens of ms; a silent path: the stall timeout). Lost
// data is recovered by the inner TCP from the SACKs of what came on the other paths. Lost ACKs at
// the end of a window are not: the TCP sender has nothing more it may send, hears nothing, and
// waits for its retransmission timeout (Linux: 200 ms at least). Measured in the lab (2 x 100
// Mbit/s, one path's link set down mid-transfer, tcpdump on both TUNs): the gateway sent its ACKs
// for the last 35 ms on the dead path, the laptop's TCP got no ACK for 230 ms, timed out, and then
// received DSACKs for data that had arrived long before (1 run in 6 with cubic paths).
//
// The fix: the newest ACK (or SYN) of each flow sent on the dead path within REPLAY_WINDOW_MS goes
// out once more, with the same sequence number. The receiver's duplicate filter drops it if the
// original got through; otherwise it is delivered as a late packet. A replayed ACK the TCP sender
// has already seen (or an older one) is ignored by TCP, so a replay never does harm beyond one
// duplicate ACK. Only the newest per flow: a burst of old ACKs could read as duplicate ACKs.
//
// Fixed memory (CAPACITY x MAX_BYTES per path), no allocation per packet. Pure; `now` passed in.

/** Recent fast-lane packets remembered per path; with more flows than this, the oldest flows
 *  are not replayed. */
export const REPLAY_CAPACITY = 64;
/** Largest datagram remembered (header + bare ACK with SACK blocks, IPv6: ~110 bytes). */
export const REPLAY_MAX_BYTES = 160;
/** How far back a replay reaches, ms: past the time to notice a dead path, within the receiver's
 *  duplicate window (16 384 sequence numbers: ~1 s at 180 Mbit/s). */
export const REPLAY_WINDOW_MS = 500;

export class AckReplay {
  private readonly data = new Uint8Array(REPLAY_CAPACITY * REPLAY_MAX_BYTES);
  private readonly len = new Uint16Array(REPLAY_CAPACITY);
  private readonly flow = new Uint32Array(REPLAY_CAPACITY);
  private readonly at = new Float64Array(REPLAY_CAPACITY);
  /** Next slot to write. */
  private head = 0;
  private count = 0;
  /** Flows already replayed in the current replay() (scratch). */
  private readonly taken = new Uint32Array(REPLAY_CAPACITY);

  /** Packets remembered now. */
  get size(): number {
    return this.count;
  }

  /** Remembers datagram buf[start, start + length) of flow `flowId`, sent at `now`. */
  record(buf: Uint8Array, start: number, length: number, flowId: number, now: number): void {
    if (length > REPLAY_MAX_BYTES || length <= 0) return;
    const slot = this.head;
    const base = slot * REPLAY_MAX_BYTES;
    const d = this.data;
    for (let i = 0; i < length; i++) d[base + i] = buf[start + i] as number;
    this.len[slot] = length;
    this.flow[slot] = flowId >>> 0;
    this.at[slot] = now;
    this.head = (slot + 1) % REPLAY_CAPACITY;
    if (this.count < REPLAY_CAPACITY) this.count++;
  }

  /**
   * Hands the newest remembered datagram of each flow sent within `windowMs` before `now` to
   * `emit` (newest first; the view is valid only during the call), then forgets everything.
   * Returns how many were emitted.
   */
  replay(
    now: number,
    emit: (buf: Uint8Array, start: number, length: number) => void,
    windowMs = REPLAY_WINDOW_MS,
  ): number {
    let emitted = 0;
    for (let k = 1; k <= this.count; k++) {
      const slot = (this.head - k + REPLAY_CAPACITY) % REPLAY_CAPACITY;
      if (now - (this.at[slot] as number) > windowMs) break;
      const f = this.flow[slot] as number;
      let seen = false;
      for (let j = 0; j < emitted; j++) if (this.taken[j] === f) seen = true;
      if (seen) continue;
      this.taken[emitted++] = f;
      emit(this.data, slot * REPLAY_MAX_BYTES, this.len[slot] as number);
    }
    this.clear();
    return emitted;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}
