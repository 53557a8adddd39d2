// Shared helpers for the io tests: readiness waits bounded in loop turns and wall time (a broken
// port fails the test instead of hanging it), never timing assertions.
import { PacketBatch } from '../../../app/helper/io/packet-batch.ts';
import type { UdpPort } from '../../../app/helper/io/ports.ts';

export interface Received {
  bytes: Buffer[];
  ips: number[];
  ports: number[];
  /** Count returned by each non-empty read. */
  reads: number[];
}

/** Reads with `batch` until `n` datagrams arrived; rejects after `limitMs`. */
export function recvExactly(port: UdpPort, batch: PacketBatch, n: number, limitMs = 5000): Promise<Received> {
  const got: Received = { bytes: [], ips: [], ports: [], reads: [] };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      port.onReadable(null);
      reject(new Error(`recvExactly: got ${got.bytes.length} of ${n} datagrams`));
    }, limitMs);
    port.onReadable(() => {
      for (;;) {
        const c = port.recvBatch(batch);
        if (c === 0) break;
        got.reads.push(c);
        for (let i = 0; i < c; i++) {
          got.bytes.push(Buffer.from(batch.packet(i)));
          got.ips.push(batch.ipOf(i));
          got.ports.push(batch.portOf(i));
        }
        if (c < batch.capacity) break;
      }
      if (got.bytes.length >= n) {
        clearTimeout(timer);
        port.onReadable(null);
        resolve(got);
      }
    });
  });
}

/** Resolves after `turns` event-loop turns (setImmediate), for "nothing happened" checks. */
export async function loopTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Payload k: a 4-byte big-endian tag then a deterministic pattern, `size` bytes in all. */
export function payload(k: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(k, 0);
  for (let i = 4; i < size; i++) b[i] = (k * 31 + i) & 255;
  return b;
}

export function batchOf(capacity: number, slotSize = 2048, headroom = 0): PacketBatch {
  return new PacketBatch({ capacity, slotSize, headroom });
}
