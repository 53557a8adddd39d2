// QuicListener: the server side, sans socket. Routes each received UDP payload to its connection by
// destination CID, creates connections for valid Initials, and answers nobody it cannot
// authenticate (SECURITY.md P1): garbage, unknown CIDs, non-Initial long headers and unsupported
// versions (no Version Negotiation) are dropped silently and create no state. With `retry` on
// (default), a tokenless Initial gets a stateless Retry and only a returning, address-validated
// client creates state (P2). Pending (not yet verified) connections are capped and time out.
// Against handshake floods: an Initial must pass its packet-protection check (initial-auth.ts)
// before it gets a Retry or a connection, and Retries and new connections are rate limited per
// source address and overall (address-limiter.ts); past a limit, packets are dropped and counted.
//
// Order of checks for a long-header packet that matches no connection, cheapest first:
//   size >= 1200 -> header parses, v1 Initial -> pending/connection caps -> Initial packet
//   protection verifies (allocation-free) -> no token: per-address Retry bucket -> Retry queued
//   | token: HMAC check -> per-address, then global accept bucket -> quiche accept + first recv.
import type { NodeId } from '../../core/types.ts';
import type { PeerExpectation } from '../identity/verify.ts';
import { AddressLimiter, type AddressLimiterOptions, addressKey } from './address-limiter.ts';
import { cidKey, randomCid } from './cid.ts';
import { buildConfig, DEFAULT_DGRAM_SEND_QUEUE, SCID_LEN } from './config.ts';
import { QuicConn } from './conn.ts';
import {
  initialIsAuthentic,
  LONG_TYPE_INITIAL,
  type LongHeader,
  newLongHeader,
  parseLongHeader,
} from './initial-auth.ts';
import { type DropReason, ListenerCounters, RetryQueue } from './listener-parts.ts';
import { type NativeConfig, type NativeConnection, quiche } from './native.ts';
import { checkRetryToken, mintRetryToken } from './retry-token.ts';
import type { HostPort, PacketSink, QuicIdentity, QuicTuning } from './types.ts';

export interface QuicListenerOptions extends QuicTuning {
  identity: QuicIdentity;
  /** Which client NodeIds may connect. */
  authorize: PeerExpectation;
  /** Stateless Retry before any state is created (default true; costs one RTT per connect). */
  retry?: boolean;
  /** Cap on connections whose peer is not yet verified; Initials past it are dropped. */
  maxPending?: number;
  /** Cap on all connections. */
  maxConnections?: number;
  /** A connection not verified within this long (listener clock) is closed. */
  handshakeTimeoutMs?: number;
  /** Retry and connection rate limits (defaults in address-limiter.ts). */
  limits?: AddressLimiterOptions;
  /** A verified connection: attach handlers with conn.setHandlers() here. */
  onConnection(conn: QuicConn, peer: NodeId): void;
}

/** 64 concurrent handshakes: far more than real peers ever start at once, small in memory (~64 x 30 KiB). */
const DEFAULT_MAX_PENDING = 64;
const DEFAULT_MAX_CONNECTIONS = 256;
/** 5 s: a handshake over the slowest cellular path takes < 2 s; a flood's half-open entries leave fast. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
const MIN_INITIAL_LEN = 1200;
/** Long header: flags(1) version(4) dcid-len(1) dcid. */
const LONG_DCID_OFF = 6;

interface Entry {
  conn: QuicConn;
  keys: Set<string>;
  createdAt: number;
  pending: boolean;
}

export class QuicListener {
  readonly counters = new ListenerCounters();
  private readonly opts: QuicListenerOptions;
  private readonly config: NativeConfig;
  private readonly secret = randomCid();
  private readonly byCid = new Map<string, Entry>();
  private readonly entries = new Set<Entry>();
  private readonly retries = new RetryQueue();
  private readonly limiter: AddressLimiter;
  /** Scratch for parsing long headers (no allocation per packet). */
  private readonly header: LongHeader = newLongHeader();
  private pending = 0;
  private nowMs = 0;

  constructor(opts: QuicListenerOptions) {
    this.opts = opts;
    this.config = buildConfig('server', opts.identity, opts);
    this.limiter = new AddressLimiter(opts.limits);
  }

  get pendingCount(): number {
    return this.pending;
  }
  /** Source addresses the rate limiter remembers (bounded). */
  get trackedAddresses(): number {
    return this.limiter.size;
  }
  get connectionCount(): number {
    return this.entries.size;
  }
  /** Verified connections. */
  *connections(): IterableIterator<QuicConn> {
    for (const e of this.entries) if (e.conn.isEstablished) yield e.conn;
  }

  /**
   * Feeds one received UDP payload (`buf` is scratch afterwards: quiche decrypts in place).
   * Returns true if a connection took it; false if it was dropped (counted) or answered with a Retry.
   */
  handlePacket(buf: Uint8Array, len: number, from: HostPort, to: HostPort, nowMs: number): boolean {
    this.nowMs = nowMs;
    if (len < 1 + SCID_LEN) return this.drop('too-short');
    const first = buf[0] ?? 0;
    let key: string;
    if ((first & 0x80) === 0) {
      key = cidKey(buf, 1, SCID_LEN);
    } else {
      const dcidLen = buf[LONG_DCID_OFF - 1] ?? 255;
      if (dcidLen > 20 || LONG_DCID_OFF + dcidLen > len) return this.drop('garbage');
      key = cidKey(buf, LONG_DCID_OFF, dcidLen);
    }
    const entry = this.byCid.get(key);
    if (entry !== undefined) return entry.conn.recvPacket(buf, len, from, to);
    if ((first & 0x80) === 0) return this.drop('unknown-cid');
    return this.handleNewInitial(buf, len, from, to);
  }

  /** Writes Retry packets and every connection's pending packets to `sink`. */
  flush(sink: PacketSink): number {
    let n = this.retries.drain(sink);
    for (const e of this.entries) n += e.conn.flush(sink);
    this.sweep();
    return n;
  }

  /** Milliseconds until onTimeout() is due (earliest of all connections and handshake deadlines). */
  timeoutMs(): number | null {
    let min: number | null = null;
    for (const e of this.entries) {
      let t = e.conn.timeoutMs();
      if (e.pending) {
        const hs = Math.max(0, e.createdAt + this.handshakeTimeout() - this.nowMs);
        t = t === null ? hs : Math.min(t, hs);
      }
      if (t !== null && (min === null || t < min)) min = t;
    }
    return min;
  }

  /** Runs expired timers (quiche ignores the call on connections whose timer has not expired). Then flush(). */
  onTimeout(nowMs: number): void {
    this.nowMs = nowMs;
    for (const e of this.entries) {
      e.conn.onTimeout();
    }
    this.sweepHandshakeDeadlines();
    this.sweep();
  }

  /** Closes every connection gracefully; keep flushing and running timers until connectionCount is 0. */
  close(code: number, reason: string): void {
    for (const e of this.entries) e.conn.close(code, reason);
  }

  private handleNewInitial(buf: Uint8Array, len: number, from: HostPort, to: HostPort): boolean {
    if (len < MIN_INITIAL_LEN) return this.drop('too-short');
    const header = this.header;
    if (!parseLongHeader(buf, len, header)) return this.drop('garbage');
    if (!quiche.versionIsSupported(header.version)) return this.drop('bad-version');
    if (header.type !== LONG_TYPE_INITIAL) return this.drop('not-initial');
    if (this.pending >= (this.opts.maxPending ?? DEFAULT_MAX_PENDING)) {
      this.sweepHandshakeDeadlines();
      if (this.pending >= (this.opts.maxPending ?? DEFAULT_MAX_PENDING)) return this.drop('pending-full');
    }
    if (this.entries.size >= (this.opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) return this.drop('full');
    // Packet protection before anything that allocates or answers: a flood of random bytes stops here.
    if (!initialIsAuthentic(buf, header)) return this.drop('undecryptable');
    const dcid = buf.subarray(header.dcidOff, header.dcidOff + header.dcidLen);
    let scid: Uint8Array;
    let odcid: Uint8Array | null = null;
    if (this.opts.retry ?? true) {
      if (header.tokenLen === 0) return this.sendRetry(buf, header, dcid, from);
      if (header.dcidLen !== SCID_LEN) return this.drop('bad-token');
      const token = buf.subarray(header.tokenOff, header.tokenOff + header.tokenLen);
      odcid = checkRetryToken(this.secret, token, from, dcid, this.nowMs);
      if (odcid === null) return this.drop('bad-token');
      scid = dcid.slice();
    } else {
      if (header.tokenLen !== 0) return this.drop('bad-token');
      scid = randomCid();
    }
    const verdict = this.limiter.allowAccept(from.host, this.nowMs);
    if (verdict !== 'ok') return this.drop(verdict === 'address' ? 'accept-rate' : 'accept-rate-global');
    // The first packet goes to the bare native connection: if it fails, nothing but this frame
    // refers to the connection, and the GC may free its native state as soon as we return (the
    // binding has no explicit free). The accept buckets bound how many such failures per second.
    const firstDcid = cidKey(dcid); // before recv: quiche decrypts `buf` in place
    let native: NativeConnection;
    try {
      native = quiche.Connection.accept(scid, odcid, to, from, this.config);
      native.recv(len === buf.byteLength ? buf : buf.subarray(0, len), { from, to });
      if (native.stats().recv === 0) return this.drop('accept-failed');
    } catch {
      return this.drop('accept-failed');
    }
    const conn: QuicConn = new QuicConn({
      role: 'server',
      native,
      expectPeer: this.opts.authorize,
      sendQueueCap: this.opts.dgramSendQueueLen ?? DEFAULT_DGRAM_SEND_QUEUE,
      onOpen: (c, peer) => this.opened(c, peer),
      cidHooks: { added: (cid) => this.addKey(entry, cid), retired: (cid) => this.removeKey(entry, cid) },
    });
    const entry: Entry = { conn, keys: new Set(), createdAt: this.nowMs, pending: true };
    this.entries.add(entry);
    this.pending++;
    this.counters.accepted++;
    this.addKey(entry, conn.sourceCid);
    this.addKeyString(entry, firstDcid); // the client's first DCID, used until it hears from us
    return true;
  }

  /** A tokenless (authentic) Initial: a stateless Retry, if its address is within its rate. */
  private sendRetry(buf: Uint8Array, header: LongHeader, dcid: Uint8Array, from: HostPort): false {
    if (!this.limiter.allowRetry(from.host, this.nowMs)) return this.drop('retry-rate');
    const retryScid = randomCid();
    const t = mintRetryToken(this.secret, from, dcid, retryScid, this.nowMs);
    const r = this.retries.push(
      buf.subarray(header.scidOff, header.scidOff + header.scidLen),
      dcid,
      retryScid,
      t,
      header.version,
      from,
      addressKey(from.host),
    );
    if (r === 'full') return this.drop('retry-queue-full');
    if (r === 'queued') this.counters.retries++;
    else this.counters.drop('retry-queue-full'); // 'replaced': another address's Retry made room
    return false;
  }

  private opened(conn: QuicConn, peer: NodeId): void {
    for (const e of this.entries) {
      if (e.conn !== conn) continue;
      if (e.pending) {
        e.pending = false;
        this.pending--;
      }
    }
    this.opts.onConnection(conn, peer);
  }

  private addKey(e: Entry, cid: Uint8Array): void {
    this.addKeyString(e, cidKey(cid));
  }

  private addKeyString(e: Entry, k: string): void {
    e.keys.add(k);
    this.byCid.set(k, e);
  }

  private removeKey(e: Entry, cid: Uint8Array): void {
    const k = cidKey(cid);
    e.keys.delete(k);
    if (this.byCid.get(k) === e) this.byCid.delete(k);
  }

  private sweep(): void {
    for (const e of this.entries) {
      if (!e.conn.isClosed) continue;
      if (e.conn.rejectReason !== null) this.counters.rejected++;
      this.forget(e);
    }
  }

  /** Unverified connections past their deadline are forgotten at once, without a word to the peer. */
  private sweepHandshakeDeadlines(): void {
    for (const e of this.entries) {
      if (e.pending && this.nowMs - e.createdAt > this.handshakeTimeout()) {
        this.forget(e);
        this.counters.handshakeTimeouts++;
      }
    }
  }

  private forget(e: Entry): void {
    this.entries.delete(e);
    if (e.pending) this.pending--;
    for (const k of e.keys) if (this.byCid.get(k) === e) this.byCid.delete(k);
  }

  private handshakeTimeout(): number {
    return this.opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  }

  private drop(reason: DropReason): false {
    this.counters.drop(reason);
    return false;
  }
}
