// UdpPort over node:dgram: the pure-Node fallback when the addon is missing (or not on Linux).
// Same contract as the native port, at a higher per-packet cost: Node allocates a Buffer and
// emits an event per received datagram, and each send is copied (the batch slab is reused while
// dgram may still hold the data). Received datagrams wait in a bounded PacketQueue (full = drop
// and count, like a kernel socket buffer); sends are bounded by `maxInFlight` so a short count
// means "full", exactly like EAGAIN on the native port. No SO_BINDTODEVICE here.
import dgram from 'node:dgram';
import { ADDR_WORDS } from '../../../native/index.ts';
import { closedError, IoError } from './io-error.ts';
import { parseIpv4, u32ToIpv4 } from './ipv4.ts';
import { NotifyingPort } from './notifying-port.ts';
import type { PacketBatch } from './packet-batch.ts';
import { PacketQueue } from './packet-queue.ts';
import type { UdpEndpoint, UdpPort, UdpStats } from './ports.ts';

export interface DgramUdpOptions {
  address?: string;
  port?: number;
  recvBufferSize?: number;
  sendBufferSize?: number;
  /** Received datagrams held between reads; default 4096. */
  queueCapacity?: number;
  /** Sends handed to dgram and not yet confirmed; default 1024. */
  maxInFlight?: number;
}

export class DgramUdpPort extends NotifyingPort implements UdpPort {
  readonly backend = 'dgram' as const;
  readonly device = null;
  readonly localAddress: UdpEndpoint;
  private readonly queue: PacketQueue;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private rx = 0;
  private tx = 0;
  private txErrors = 0;
  private lastTxError = '';
  // One-entry caches: most traffic is to/from one peer, so skip re-formatting its address.
  private lastSendIp = -1;
  private lastSendStr = '';
  private lastRecvStr = '';
  private lastRecvIp = 0;
  /** The last asynchronous socket error (dgram reports them as events), or null. */
  lastError: Error | null = null;

  private constructor(
    private readonly socket: dgram.Socket,
    options: DgramUdpOptions,
  ) {
    super();
    const a = socket.address();
    this.localAddress = { ip: parseIpv4(a.address) ?? 0, port: a.port };
    this.queue = new PacketQueue(options.queueCapacity ?? 4096);
    this.maxInFlight = options.maxInFlight ?? 1024;
    socket.on('message', this.onMessage);
    socket.on('error', (err) => {
      this.lastError = err;
    });
  }

  static async open(options: DgramUdpOptions): Promise<DgramUdpPort> {
    const socket = dgram.createSocket({
      type: 'udp4',
      ...(options.recvBufferSize ? { recvBufferSize: options.recvBufferSize } : {}),
      ...(options.sendBufferSize ? { sendBufferSize: options.sendBufferSize } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        const code = (err as { code?: unknown }).code;
        reject(new IoError(typeof code === 'string' ? code : 'EUNKNOWN', `bind: ${err.message}`));
      };
      socket.once('error', onError);
      socket.bind({ address: options.address ?? '0.0.0.0', port: options.port ?? 0 }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    return new DgramUdpPort(socket, options);
  }

  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (rinfo.address !== this.lastRecvStr) {
      this.lastRecvStr = rinfo.address;
      this.lastRecvIp = parseIpv4(rinfo.address) ?? 0;
    }
    // `msg` is a fresh Buffer per datagram: queue it without another copy.
    this.queue.push(msg, this.lastRecvIp, rinfo.port);
    this.readable.kick();
  };

  recvBatch(b: PacketBatch): number {
    if (this.isClosed) throw closedError('recvBatch');
    const n = this.queue.drainInto(b);
    this.rx += n;
    return n;
  }

  sendBatch(b: PacketBatch, start = 0): number {
    if (this.isClosed) throw closedError('sendBatch');
    let i = start;
    for (; i < b.count && this.inFlight < this.maxInFlight; i++) {
      const off = b.offsets[i] ?? 0;
      const copy = Buffer.from(b.slab.subarray(off, off + (b.lens[i] ?? 0)));
      const ip = b.addrs[i * ADDR_WORDS] ?? 0;
      if (ip !== this.lastSendIp) {
        this.lastSendIp = ip;
        this.lastSendStr = u32ToIpv4(ip);
      }
      this.inFlight++;
      this.socket.send(copy, b.addrs[i * ADDR_WORDS + 1] ?? 0, this.lastSendStr, this.onSent);
    }
    return i - start;
  }

  private readonly onSent = (err: Error | null): void => {
    this.inFlight--;
    if (err) {
      this.txErrors++;
      const code = (err as { code?: unknown }).code;
      this.lastTxError = typeof code === 'string' ? code : 'EUNKNOWN';
    } else {
      this.tx++;
    }
    if (!this.isClosed) this.writable.kick();
  };

  protected hasPending(): boolean {
    return this.queue.length > 0;
  }

  protected canWrite(): boolean {
    return this.inFlight < this.maxInFlight;
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
    this.socket.off('message', this.onMessage);
    this.socket.close();
  }
}
