// UdpPort over the native addon: recvmmsg/sendmmsg straight into the PacketBatch slab.
// Linux only (the addon exports Udp there); open-udp.ts falls back to node:dgram elsewhere.
import { type NativeUdp, native } from '../../../native/index.ts';
import { closedError, IoError } from './io-error.ts';
import { IPV4_ANY, ipv4ToU32 } from './ipv4.ts';
import type { PacketBatch } from './packet-batch.ts';
import type { UdpEndpoint, UdpPort, UdpStats } from './ports.ts';

export interface UdpPortOptions {
  /** Bind address, dotted quad; default 0.0.0.0. */
  address?: string;
  /** Bind port; default 0 (ephemeral). */
  port?: number;
  /** Bind to this interface (SO_BINDTODEVICE); needs CAP_NET_RAW. */
  device?: string;
  /** Socket buffer sizes in bytes (the privileged *FORCE variants are tried first). */
  recvBufferSize?: number;
  sendBufferSize?: number;
}

export class NativeUdpPort implements UdpPort {
  readonly backend = 'native' as const;
  readonly localAddress: UdpEndpoint;
  readonly device: string | null;
  private sock: NativeUdp;
  private isClosed = false;
  private rx = 0;
  private tx = 0;

  private constructor(sock: NativeUdp, device: string | null) {
    this.sock = sock;
    this.device = device;
    this.localAddress = { ip: sock.address, port: sock.port };
  }

  /** Opens and binds; throws the addon's errno-coded Error, or IoError ENATIVE when unavailable. */
  static open(options: UdpPortOptions): NativeUdpPort {
    const Udp = native?.Udp;
    if (!Udp) throw new IoError('ENATIVE', 'native UDP is not available on this platform/build');
    const sock = new Udp({
      address: options.address ? ipv4ToU32(options.address) : IPV4_ANY,
      port: options.port ?? 0,
      ...(options.device ? { device: options.device } : {}),
      ...(options.recvBufferSize ? { recvBufferSize: options.recvBufferSize } : {}),
      ...(options.sendBufferSize ? { sendBufferSize: options.sendBufferSize } : {}),
      // QUICETHER_UDP_GSO=0: one message per datagram (for comparisons and troubleshooting).
      gso: process.env.QUICETHER_UDP_GSO !== '0',
    });
    return new NativeUdpPort(sock, options.device ?? null);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Kernel-reported socket buffer sizes. */
  get bufferSizes(): { recv: number; send: number } {
    return { recv: this.sock.recvBufferSize, send: this.sock.sendBufferSize };
  }

  recvBatch(b: PacketBatch): number {
    if (this.isClosed) throw closedError('recvBatch');
    const n = this.sock.recvBatch(b.slab, b.slotSize, b.headroom, b.offsets, b.lens, b.addrs, b.capacity);
    b.count = n;
    this.rx += n;
    return n;
  }

  sendBatch(b: PacketBatch, start = 0): number {
    if (this.isClosed) throw closedError('sendBatch');
    if (start >= b.count) return 0;
    const n = this.sock.sendBatch(b.slab, b.offsets, b.lens, b.addrs, start, b.count, b.bursts);
    this.tx += n;
    return n;
  }

  onReadable(cb: (() => void) | null): void {
    if (this.isClosed) {
      if (cb) throw closedError('onReadable');
      return;
    }
    this.sock.setReadable(cb);
  }

  onWritable(cb: (() => void) | null): void {
    if (this.isClosed) {
      if (cb) throw closedError('onWritable');
      return;
    }
    this.sock.armWritable(cb);
  }

  stats(): UdpStats {
    const c = this.sock.counters();
    // tx counts consumed packets; those dropped for an error are counted in txErrors too.
    return {
      rxPackets: this.rx,
      txPackets: this.tx - c.sendErrors,
      rxDropped: c.truncated,
      txErrors: c.sendErrors,
      lastTxError: c.lastSendError,
      gsoMessages: c.gsoMessages,
      rxWait: { sumUs: c.rxWaitSumUs, count: c.rxWaitCount, hist: c.rxWaitHist },
    };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.sock.close();
  }
}
