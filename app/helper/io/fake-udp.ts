// In-memory UDP for unit tests of the data plane: FakeUdpNetwork links FakeUdpPorts in-process.
// Same contract as the real ports (see ports.ts): bounded receive queues that drop when full,
// level-triggered readability on the next event-loop turn, copies on send (the batch is reusable
// as soon as sendBatch returns). A `filter` hook lets tests drop or observe datagrams (a dying
// link, loss), and `mtu` rejects oversize datagrams with EMSGSIZE like a real socket.
import { ADDR_WORDS } from '../../../native/index.ts';
import { closedError, IoError } from './io-error.ts';
import { IPV4_ANY, IPV4_LOOPBACK, ipv4ToU32, u32ToIpv4 } from './ipv4.ts';
import { NotifyingPort } from './notifying-port.ts';
import type { PacketBatch } from './packet-batch.ts';
import { PacketQueue } from './packet-queue.ts';
import type { UdpEndpoint, UdpPort, UdpStats } from './ports.ts';

/** Return false to drop the datagram. Called once per datagram sent. */
export type FakeUdpFilter = (from: UdpEndpoint, to: UdpEndpoint, bytes: Uint8Array) => boolean;

export interface FakeUdpNetworkOptions {
  /** Largest datagram payload accepted; larger ones fail with EMSGSIZE (counted). Default 65507. */
  mtu?: number;
  /** Receive queue per port in datagrams; default 1024. */
  queueCapacity?: number;
}

export class FakeUdpNetwork {
  readonly mtu: number;
  readonly queueCapacity: number;
  filter: FakeUdpFilter | null = null;
  private readonly ports = new Map<string, FakeUdpPort>();
  private nextPort = 40000;

  constructor(options: FakeUdpNetworkOptions = {}) {
    this.mtu = options.mtu ?? 65507;
    this.queueCapacity = options.queueCapacity ?? 1024;
  }

  /** Binds a port; address defaults to 127.0.0.1, port 0 picks a free one. Throws EADDRINUSE. */
  bind(
    options: { address?: string; port?: number; device?: string; queueCapacity?: number } = {},
  ): FakeUdpPort {
    let ip = options.address ? ipv4ToU32(options.address) : IPV4_LOOPBACK;
    if (ip === IPV4_ANY) ip = IPV4_LOOPBACK; // one host: "any" answers as loopback
    let port = options.port ?? 0;
    if (port === 0) {
      while (this.ports.has(key(ip, this.nextPort))) this.nextPort++;
      port = this.nextPort++;
    }
    if (this.ports.has(key(ip, port))) {
      throw new IoError('EADDRINUSE', `bind ${u32ToIpv4(ip)}:${port}: EADDRINUSE (address already in use)`);
    }
    const p = new FakeUdpPort(
      this,
      { ip, port },
      options.device ?? null,
      options.queueCapacity ?? this.queueCapacity,
    );
    this.ports.set(key(ip, port), p);
    return p;
  }

  /** @internal Delivers one datagram; returns an errno name on a per-packet error, or "". */
  deliver(from: UdpEndpoint, toIp: number, toPort: number, bytes: Uint8Array): string {
    if (bytes.length > this.mtu) return 'EMSGSIZE';
    const to = { ip: toIp, port: toPort };
    if (this.filter && !this.filter(from, to, bytes)) return '';
    // Like UDP: a datagram to nobody vanishes silently.
    this.ports.get(key(toIp, toPort))?.enqueue(Buffer.from(bytes), from);
    return '';
  }

  /** @internal */
  unbind(p: FakeUdpPort): void {
    this.ports.delete(key(p.localAddress.ip, p.localAddress.port));
  }
}

function key(ip: number, port: number): string {
  return `${ip >>> 0}:${port}`;
}

export class FakeUdpPort extends NotifyingPort implements UdpPort {
  readonly backend = 'fake' as const;
  private readonly queue: PacketQueue;
  private rx = 0;
  private tx = 0;
  private txErrors = 0;
  private lastTxError = '';

  constructor(
    private readonly net: FakeUdpNetwork,
    readonly localAddress: UdpEndpoint,
    readonly device: string | null,
    queueCapacity: number,
  ) {
    super();
    this.queue = new PacketQueue(queueCapacity);
  }

  /** @internal */
  enqueue(bytes: Uint8Array, from: UdpEndpoint): void {
    if (this.isClosed) return;
    this.queue.push(bytes, from.ip, from.port);
    this.readable.kick();
  }

  recvBatch(b: PacketBatch): number {
    if (this.isClosed) throw closedError('recvBatch');
    const n = this.queue.drainInto(b);
    this.rx += n;
    return n;
  }

  /** Never short: the fake network has no send buffer to fill. */
  sendBatch(b: PacketBatch, start = 0): number {
    if (this.isClosed) throw closedError('sendBatch');
    for (let i = start; i < b.count; i++) {
      const off = b.offsets[i] ?? 0;
      const bytes = b.slab.subarray(off, off + (b.lens[i] ?? 0));
      const err = this.net.deliver(
        this.localAddress,
        b.addrs[i * ADDR_WORDS] ?? 0,
        b.addrs[i * ADDR_WORDS + 1] ?? 0,
        bytes,
      );
      if (err) {
        this.txErrors++;
        this.lastTxError = err;
      } else {
        this.tx++;
      }
    }
    return Math.max(0, b.count - start);
  }

  protected hasPending(): boolean {
    return this.queue.length > 0;
  }

  protected canWrite(): boolean {
    return !this.isClosed;
  }

  stats(): UdpStats {
    return {
      rxPackets: this.rx,
      txPackets: this.tx,
      rxDropped: this.queue.dropped + this.queue.truncated,
      txErrors: this.txErrors,
      lastTxError: this.lastTxError,
    };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.readable.set(null);
    this.writable.arm(null);
    this.queue.clear();
    this.net.unbind(this);
  }
}
