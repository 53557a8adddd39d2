// Typed loader for the quicether N-API addon (native/src/*.c, built by node-gyp into
// native/build/Release/quicether.node). Importing this module never throws: when the addon is
// missing or fails to load, `nativeAvailable` is false, `nativeUnavailableReason` says why, and
// callers use the pure-Node fallbacks in app/helper/io/.
//
// Shared conventions (see the C sources for the full contracts):
//  - All buffers are caller-owned and only borrowed for the duration of one call.
//  - A packet slab holds N fixed-size slots; a read stores packet i at i*slotSize + headroom and
//    sets offsets[i], lens[i]. Writes take arbitrary offsets[i]/lens[i] into the slab, so a header
//    can be prepended into the headroom without copying.
//  - UDP addresses: ADDR_WORDS (2) Uint32 words per packet: [IPv4 host-order u32, port].
//  - Errors are JS Errors with `.code` = errno name ("EPERM") and a message naming the attempted
//    step: "TUNSETIFF quicether0: EPERM (Operation not permitted)".
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Uint32 words per packet in a UDP address array: [ipv4 (host order), port]. */
export const ADDR_WORDS = 2;

export interface TunConfigureOptions {
  /** Link MTU in bytes. */
  mtu?: number;
  /** IPv4 address as a host-order u32 (see app/helper/io/ipv4.ts). */
  address?: number;
  /** 0..32, default 32. Only used with `address`. */
  prefixLength?: number;
  /** Set IFF_UP (and IFF_RUNNING on Linux). */
  up?: boolean;
  /** Linux txqueuelen in packets. */
  txQueueLen?: number;
}

/** Both handle kinds: a non-blocking fd watched by a uv_poll handle. */
export interface NativePollable {
  readonly fd: number;
  /** Level-triggered: `cb` runs every loop turn while readable; null stops read interest. */
  setReadable(cb: (() => void) | null): void;
  /** One-shot: `cb` runs once when writable (after a batch stopped on EAGAIN). */
  armWritable(cb: (() => void) | null): void;
  /** Idempotent. Stops polling, closes the fd. */
  close(): void;
}

export interface NativeTun extends NativePollable {
  /** The kernel's interface name (may differ from the request on macOS: utunN). */
  readonly name: string;
  configure(options: TunConfigureOptions): void;
  /** Reads up to `max` packets until EAGAIN; returns the count (0 = nothing pending). */
  readBatch(
    slab: Uint8Array,
    slotSize: number,
    headroom: number,
    offsets: Uint32Array,
    lens: Uint32Array,
    max: number,
  ): number;
  /** Writes packets start..end-1; returns how many were consumed (written or dropped). */
  writeBatch(slab: Uint8Array, offsets: Uint32Array, lens: Uint32Array, start: number, end: number): number;
  counters(): { writeErrors: number; lastWriteError: string } & Partial<TunOffloadCounters>;
  /** Offload on (Linux: IFF_VNET_HDR with TSO4 and checksum offload; see native/src/offload.c). */
  readonly offload: boolean;
  /** Segments of a super-packet that did not fit the last readBatch: call it again. */
  pending(): number;
}

/** What an offload TUN did (cumulative). */
export interface TunOffloadCounters {
  /** TCP super-packets read (TSO), and the segments they were cut into. */
  superReads: number;
  segmentsOut: number;
  /** Writes of merged segments (GRO), and the segments they carried. */
  mergedWrites: number;
  segmentsMerged: number;
  /** Packets read that could not be handled (unexpected GSO type, too large): dropped. */
  badOffload: number;
}

export interface UdpOpenOptions {
  /** Bind address, host-order u32; 0 = any. */
  address?: number;
  /** Bind port; 0 = ephemeral. */
  port?: number;
  /** SO_BINDTODEVICE interface name (needs CAP_NET_RAW). */
  device?: string;
  recvBufferSize?: number;
  sendBufferSize?: number;
  /** false: never group datagrams into UDP GSO messages (default true). */
  gso?: boolean;
}

export interface NativeUdp extends NativePollable {
  /** Bound address (host-order u32) and port, as getsockname reports them. */
  readonly address: number;
  readonly port: number;
  /** As the kernel reports them (Linux doubles the requested size). */
  readonly recvBufferSize: number;
  readonly sendBufferSize: number;
  recvBatch(
    slab: Uint8Array,
    slotSize: number,
    headroom: number,
    offsets: Uint32Array,
    lens: Uint32Array,
    addrs: Uint32Array,
    max: number,
  ): number;
  /** sendmmsg of packets start..end-1; returns consumed (sent or dropped); short = EAGAIN.
   *  bursts[j] > 0 caps the datagrams of a GSO message starting at packet j. */
  sendBatch(
    slab: Uint8Array,
    offsets: Uint32Array,
    lens: Uint32Array,
    addrs: Uint32Array,
    start: number,
    end: number,
    bursts?: Uint8Array,
  ): number;
  /** gsoMessages: sends that went as one UDP GSO message (UDP_SEGMENT); gso: still grouping. */
  counters(): {
    truncated: number;
    sendErrors: number;
    lastSendError: string;
    gsoMessages: number;
    gso: boolean;
    /** Time datagrams sat in the socket before a read (kernel timestamp to read): sum, count,
     *  and a histogram with bounds 1, 5, 20, 50 ms. */
    rxWaitSumUs: number;
    rxWaitCount: number;
    rxWaitHist: number[];
  };
}

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

export interface NativeAddon {
  /** `offload: true` asks for TSO/GRO offload; check `.offload` for whether it is on. */
  Tun: new (
    name: string,
    options?: { offload?: boolean },
  ) => NativeTun;
  /** Linux only. */
  Udp?: new (
    options: UdpOpenOptions,
  ) => NativeUdp;
  peerCredentials(fd: number): PeerCredentials;
  /** Throws the Error a failed syscall with this errno would produce (tests the formatting). */
  throwErrnoForTest(errno: number, what: string): never;
  platform: 'linux' | 'darwin' | 'other';
  addrWords: number;
  /** The offload packet work (native/src/offload.c) without a device, for its tests. */
  offloadForTest: OffloadForTest;
}

/** See native/src/offload-napi.c. */
export interface OffloadForTest {
  /** Cuts an IPv4 TCP super-packet into segments at i*slotSize; count, or -1 if not segmentable. */
  tsoSplit(pkt: Uint8Array, gsoSize: number, slab: Uint8Array, slotSize: number): number;
  /** Packets in the first mergeable run of packets 0..count-1 (>= 1). */
  groRun(slab: Uint8Array, offsets: Uint32Array, lens: Uint32Array, count: number): number;
  /** Merges one whole run into `out`: [length, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset]. */
  groMerge(
    slab: Uint8Array,
    offsets: Uint32Array,
    lens: Uint32Array,
    count: number,
    out: Uint8Array,
  ): [number, number, number, number, number, number, number];
  /** Completes a partial checksum in place: 0, or -1 when the offsets fall outside pkt. */
  csumComplete(pkt: Uint8Array, start: number, offset: number): number;
}

/** An error thrown by the addon. */
export interface NativeError extends Error {
  code: string;
}

export function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}

type LoadResult = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

function candidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const list: string[] = [];
  const explicit = process.env.QUICETHER_NATIVE;
  if (explicit) list.push(explicit);
  list.push(join(here, 'build/Release/quicether.node'));
  // From the compiled copy in dist/native/ back to the source tree's build output.
  list.push(join(here, '../../native/build/Release/quicether.node'));
  return list;
}

function load(): LoadResult {
  if (process.env.QUICETHER_NO_NATIVE === '1')
    return { ok: false, reason: 'disabled by QUICETHER_NO_NATIVE=1' };
  const require = createRequire(import.meta.url);
  const paths = candidates();
  const found = paths.find((p) => existsSync(p));
  if (!found) return { ok: false, reason: `addon not built (looked for ${paths.join(', ')})` };
  try {
    const mod: unknown = require(found);
    const addon = mod as Partial<NativeAddon>;
    if (
      typeof addon.Tun !== 'function' ||
      typeof addon.peerCredentials !== 'function' ||
      addon.addrWords !== ADDR_WORDS
    ) {
      return { ok: false, reason: `addon at ${found} has an unexpected shape (stale build?)` };
    }
    return { ok: true, addon: addon as NativeAddon };
  } catch (e) {
    return { ok: false, reason: `loading ${found} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const loaded = load();

/** The addon, or null when unavailable. */
export const native: NativeAddon | null = loaded.ok ? loaded.addon : null;
export const nativeAvailable: boolean = loaded.ok;
/** Why the addon is unavailable, or null when it loaded. */
export const nativeUnavailableReason: string | null = loaded.ok ? null : loaded.reason;
