// TunPort over the native addon (Linux /dev/net/tun, macOS utun). There is no pure-Node TUN:
// without the addon, openTunPort() returns an error result and the helper runs without a tunnel
// device (tests use fake-tun.ts).
import { type NativeTun, native, type TunOffloadCounters } from '../../../native/index.ts';
import { closedError, IoError, type IoErrorInfo, toIoErrorInfo } from './io-error.ts';
import { ipv4ToU32 } from './ipv4.ts';
import type { PacketBatch } from './packet-batch.ts';
import type { TunPort, TunStats } from './ports.ts';

export interface TunPortOptions {
  /** Requested interface name, at most 15 bytes (e.g. "quicether0"); "" lets the kernel pick. */
  name: string;
  /** Link MTU in bytes (the architecture's default is 1420). */
  mtu: number;
  /** IPv4 address (dotted quad) and prefix length to assign; routes are the caller's job. */
  address?: string;
  prefixLength?: number;
  /** Bring the link up; default true. */
  up?: boolean;
  txQueueLen?: number;
  /** TSO/GRO offload (Linux; default off here, the helper's [tunnel] offload turns it on). */
  offload?: boolean;
}

export class NativeTunPort implements TunPort {
  readonly name: string;
  readonly mtu: number;
  private dev: NativeTun;
  private isClosed = false;
  private rx = 0;
  private tx = 0;

  private constructor(dev: NativeTun, mtu: number) {
    this.dev = dev;
    this.name = dev.name;
    this.mtu = mtu;
  }

  /** Opens and configures; throws an errno-coded Error naming the failed step. */
  static open(options: TunPortOptions): NativeTunPort {
    if (!native) throw new IoError('ENATIVE', 'native addon unavailable: no TUN device');
    const dev = new native.Tun(options.name, { offload: options.offload ?? false });
    try {
      dev.configure({
        mtu: options.mtu,
        ...(options.address !== undefined
          ? { address: ipv4ToU32(options.address), prefixLength: options.prefixLength ?? 32 }
          : {}),
        ...(options.txQueueLen ? { txQueueLen: options.txQueueLen } : {}),
        up: options.up ?? true,
      });
    } catch (e) {
      dev.close();
      throw e;
    }
    return new NativeTunPort(dev, options.mtu);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  readBatch(b: PacketBatch): number {
    if (this.isClosed) throw closedError('readBatch');
    const n = this.dev.readBatch(b.slab, b.slotSize, b.headroom, b.offsets, b.lens, b.capacity);
    b.count = n;
    this.rx += n;
    return n;
  }

  writeBatch(b: PacketBatch, start = 0): number {
    if (this.isClosed) throw closedError('writeBatch');
    if (start >= b.count) return 0;
    const n = this.dev.writeBatch(b.slab, b.offsets, b.lens, start, b.count);
    this.tx += n;
    return n;
  }

  onReadable(cb: (() => void) | null): void {
    if (this.isClosed) {
      if (cb) throw closedError('onReadable');
      return;
    }
    this.dev.setReadable(cb);
  }

  onWritable(cb: (() => void) | null): void {
    if (this.isClosed) {
      if (cb) throw closedError('onWritable');
      return;
    }
    this.dev.armWritable(cb);
  }

  stats(): TunStats {
    const c = this.dev.counters();
    const stats: TunStats = {
      rxPackets: this.rx,
      txPackets: this.tx - c.writeErrors,
      txErrors: c.writeErrors,
    };
    if (this.dev.offload) {
      const o: TunOffloadCounters = {
        superReads: c.superReads ?? 0,
        segmentsOut: c.segmentsOut ?? 0,
        mergedWrites: c.mergedWrites ?? 0,
        segmentsMerged: c.segmentsMerged ?? 0,
        badOffload: c.badOffload ?? 0,
      };
      stats.offload = o;
    }
    return stats;
  }

  readPending(): boolean {
    return !this.isClosed && this.dev.pending() > 0;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.dev.close();
  }
}

export type OpenTunResult = { ok: true; port: TunPort } | { ok: false; error: IoErrorInfo };

/** Opens the TUN device, reporting failure as a value (a tunnel failure is a state, not a crash). */
export function openTunPort(options: TunPortOptions): OpenTunResult {
  try {
    return { ok: true, port: NativeTunPort.open(options) };
  } catch (e) {
    return { ok: false, error: toIoErrorInfo(e) };
  }
}
