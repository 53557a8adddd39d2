// The control stream: bidirectional stream 0, opened by the client (its first write creates it),
// accepted by the server. Bytes in, bytes out, in order; framing belongs to the caller.
// Writes that quiche cannot take yet (flow control, or the server writing before the client opened
// the stream) wait in a bounded queue and are retried on every pump.
import { type NativeConnection, quiche } from './native.ts';

export const CONTROL_STREAM_ID = 0;
/** Bytes of unsent control data we hold; past it sendControl refuses (a stuck peer cannot grow us). */
export const MAX_CONTROL_PENDING = 256 * 1024;
/** Read chunk; control messages are small, so one chunk usually holds a whole batch of them. */
const READ_CHUNK = 16 * 1024;

export class ControlStream {
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly readBuf = new Uint8Array(READ_CHUNK);
  private finReceived = false;

  constructor(private readonly native: NativeConnection) {}

  get queuedBytes(): number {
    return this.pendingBytes;
  }

  /** Queues and tries to send. false: refused because the pending queue is full. */
  send(bytes: Uint8Array): boolean {
    if (bytes.byteLength === 0) return true;
    if (this.pendingBytes + bytes.byteLength > MAX_CONTROL_PENDING) return false;
    let rest = bytes;
    if (this.pending.length === 0) {
      const n = this.write(rest);
      if (n === rest.byteLength) return true;
      rest = rest.subarray(n);
    }
    this.pending.push(rest.slice()); // own a copy: the caller may reuse its buffer
    this.pendingBytes += rest.byteLength;
    return true;
  }

  /** Retries queued writes (capacity grows as the peer acks and reads). */
  pumpWrite(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      if (head === undefined) break;
      const n = this.write(head);
      this.pendingBytes -= n;
      if (n < head.byteLength) {
        this.pending[0] = head.subarray(n);
        return;
      }
      this.pending.shift();
    }
  }

  /** Delivers readable control bytes in order; other streams (none are allowed) are shut. */
  pumpRead(deliver: ((chunk: Uint8Array, fin: boolean) => void) | undefined): void {
    if (!this.native.isReadable()) return;
    for (const id of this.native.readable()) {
      if (id !== CONTROL_STREAM_ID) {
        this.shutRead(id);
        continue;
      }
      while (!this.finReceived) {
        let r: [number, boolean] | null;
        try {
          r = this.native.streamRecv(CONTROL_STREAM_ID, this.readBuf);
        } catch {
          break; // Done / reset by peer: nothing more now
        }
        if (r === null) break;
        const [n, fin] = r;
        if (fin) this.finReceived = true;
        if (n > 0 || fin) deliver?.(this.readBuf.subarray(0, n), fin);
        if (n === 0) break;
      }
    }
  }

  private write(bytes: Uint8Array): number {
    try {
      const n = this.native.streamSend(CONTROL_STREAM_ID, bytes, false);
      return n ?? 0; // null = Done: no capacity now
    } catch {
      return 0; // InvalidStreamState: the server writes before the client opened the stream
    }
  }

  private shutRead(id: number): void {
    try {
      this.native.streamShutdown(id, quiche.Shutdown.Read, 0);
    } catch {
      // already shut
    }
  }
}
