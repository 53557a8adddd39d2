// In-memory TUN for unit tests: createFakeTunPair() returns two linked TunPorts; packets written
// to one are read from the other. Use one end as the helper's TUN and the other as "the kernel"
// (inject packets the OS would route into the tunnel, and collect what the helper delivers).
// Same contract as the native TUN (ports.ts): bounded queue (drop when full), level-triggered
// readability on the next loop turn, oversize or empty packets rejected and counted as txErrors.
import { closedError } from './io-error.ts';
import { NotifyingPort } from './notifying-port.ts';
import type { PacketBatch } from './packet-batch.ts';
import { PacketQueue } from './packet-queue.ts';
import type { TunPort, TunStats } from './ports.ts';

export interface FakeTunOptions {
  name?: string;
  /** Default 1420, the architecture's tunnel MTU. */
  mtu?: number;
  /** Packets each end holds unread; default 1024. */
  queueCapacity?: number;
}

export class FakeTunPort extends NotifyingPort implements TunPort {
  readonly mtu: number;
  peer: FakeTunPort | null = null;
  private readonly queue: PacketQueue;
  private rx = 0;
  private tx = 0;
  private txErrors = 0;

  constructor(
    readonly name: string,
    mtu: number,
    queueCapacity: number,
  ) {
    super();
    this.mtu = mtu;
    this.queue = new PacketQueue(queueCapacity);
  }

  /** Packets dropped because this end's queue was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  readBatch(b: PacketBatch): number {
    if (this.isClosed) throw closedError('readBatch');
    const n = this.queue.drainInto(b);
    this.rx += n;
    return n;
  }

  writeBatch(b: PacketBatch, start = 0): number {
    if (this.isClosed) throw closedError('writeBatch');
    for (let i = start; i < b.count; i++) {
      const len = b.lens[i] ?? 0;
      if (len === 0 || len > this.mtu) {
        this.txErrors++;
        continue;
      }
      const off = b.offsets[i] ?? 0;
      this.tx++;
      this.peer?.enqueue(Buffer.from(b.slab.subarray(off, off + len))); // a copy: the batch is reused
    }
    return Math.max(0, b.count - start);
  }

  /** @internal */
  enqueue(bytes: Uint8Array): void {
    if (this.isClosed) return;
    this.queue.push(bytes, 0, 0);
    this.readable.kick();
  }

  protected hasPending(): boolean {
    return this.queue.length > 0;
  }

  protected canWrite(): boolean {
    return !this.isClosed;
  }

  stats(): TunStats {
    return { rxPackets: this.rx, txPackets: this.tx, txErrors: this.txErrors };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.readable.set(null);
    this.writable.arm(null);
    this.queue.clear();
  }
}

/** Two linked ends: [tunnel side, kernel side]. Both are full TunPorts. */
export function createFakeTunPair(options: FakeTunOptions = {}): [FakeTunPort, FakeTunPort] {
  const name = options.name ?? 'fake0';
  const mtu = options.mtu ?? 1420;
  const cap = options.queueCapacity ?? 1024;
  const a = new FakeTunPort(name, mtu, cap);
  const b = new FakeTunPort(`${name}-peer`, mtu, cap);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
