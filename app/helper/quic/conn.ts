// QuicConn: one quiche connection, driven without sockets.
//
// Call order, per batch of I/O (never per packet for flush):
//   recvPacket() for each received UDP payload  ->  recvDatagrams()  ->  sendDatagram()...
//   -> flush(sink) once  ->  arm one timer for timeoutMs(); when it fires: onTimeout(), flush().
// Callbacks (onEstablished, onControl, onClosed) fire synchronously from recvPacket / flush /
// onTimeout.
//
// Authentication: quiche accepts any certificate whose key the peer proves it holds. The moment
// quiche says "established", we check the peer's certificate chain against the expected NodeId(s)
// (identity/verify.ts). Until that check passes, no datagram and no control byte reaches the
// caller, and sendDatagram refuses; if it fails, the connection is closed with a TLS
// bad_certificate error and stays silent.
//
//   handshake --(established + NodeId ok)--> open --(close / peer close / idle)--> closed
//       \--(established + NodeId bad)--> rejected ------------------------------> closed
import type { NodeId } from '../../core/types.ts';
import type { PeerExpectation } from '../identity/verify.ts';
import { verifyPeerChain } from '../identity/verify.ts';
import { type CidHooks, drainRetiredCids, issueSpareCids, randomCid } from './cid.ts';
import { buildConfig, DEFAULT_DGRAM_SEND_QUEUE, MAX_UDP_PAYLOAD, type Role } from './config.ts';
import { ControlStream } from './control-stream.ts';
import { type NativeConfig, type NativeConnection, quiche } from './native.ts';
import { closeInfoOf, readPathEvent, readStats } from './native-read.ts';
import type {
  CloseInfo,
  HostPort,
  PacketSink,
  PathEvent,
  QuicConnHandlers,
  QuicIdentity,
  QuicResult,
  QuicStats,
  QuicTuning,
} from './types.ts';

/** TLS alert bad_certificate (42) as a QUIC CRYPTO_ERROR (0x100 + alert): what we close with on a NodeId mismatch. */
export const CLOSE_BAD_CERTIFICATE = 0x100 + 42;
export type ConnPhase = 'handshake' | 'open' | 'rejected' | 'closed';

export interface QuicConnectOptions extends QuicTuning, QuicConnHandlers {
  identity: QuicIdentity;
  /** Whom we accept at the other end. */
  expectPeer: PeerExpectation;
  local: HostPort;
  remote: HostPort;
  /** SNI; we do not use it for trust. */
  serverName?: string;
}

export interface ConnInit extends QuicConnHandlers {
  role: Role;
  native: NativeConnection;
  expectPeer: PeerExpectation;
  cidSecret?: Uint8Array;
  cidHooks?: CidHooks;
  /** Internal hook run when the peer is verified, before handlers.onEstablished (QuicListener). */
  onOpen?: (conn: QuicConn, peer: NodeId) => void;
  /** The dgram send queue length the config was built with (for canSend). */
  sendQueueCap?: number;
}

export class QuicConn {
  readonly role: Role;
  private readonly native: NativeConnection;
  private readonly expectPeer: PeerExpectation;
  private handlers: QuicConnHandlers;
  private readonly onOpen: ((conn: QuicConn, peer: NodeId) => void) | undefined;
  private readonly control: ControlStream;
  private readonly cidSecret: Uint8Array;
  private readonly cidHooks: CidHooks | undefined;
  private readonly sendQueueCap: number;
  private readonly scratch = new Uint8Array(MAX_UDP_PAYLOAD);
  private readonly dgramBuf = new Uint8Array(MAX_UDP_PAYLOAD);
  private readonly recvInfo: { from: HostPort; to: HostPort } = {
    from: { host: '', port: 0 },
    to: { host: '', port: 0 },
  };
  private phaseValue: ConnPhase = 'handshake';
  private peer: NodeId | null = null;
  private rejection: string | null = null;
  private closed: CloseInfo | null = null;
  private dgramRefused = 0;
  private recvErrorCount = 0;
  /** UDP payloads quiche accepted: the path's "peer heard" signal (answer-watch.ts). */
  packetsIn = 0;

  /** Opens a client connection; the first flush() emits the Initial. */
  static connect(opts: QuicConnectOptions): QuicConn {
    const config: NativeConfig = buildConfig('client', opts.identity, opts);
    const native = quiche.Connection.connect(
      opts.serverName ?? null,
      randomCid(),
      opts.local,
      opts.remote,
      config,
    );
    return new QuicConn({ ...opts, role: 'client', native, sendQueueCap: opts.dgramSendQueueLen });
  }

  /** @internal Use QuicConn.connect or QuicListener. */
  constructor(init: ConnInit) {
    this.role = init.role;
    this.native = init.native;
    this.expectPeer = init.expectPeer;
    this.handlers = { onEstablished: init.onEstablished, onControl: init.onControl, onClosed: init.onClosed };
    this.control = new ControlStream(init.native);
    this.cidSecret = init.cidSecret ?? randomCid();
    this.cidHooks = init.cidHooks;
    this.sendQueueCap = init.sendQueueCap ?? DEFAULT_DGRAM_SEND_QUEUE;
    this.onOpen = init.onOpen;
  }

  /** Replaces the callbacks (a server connection gets them in QuicListener's onConnection). */
  setHandlers(h: QuicConnHandlers): void {
    this.handlers = { ...h };
  }

  get phase(): ConnPhase {
    return this.phaseValue;
  }
  /** Handshake done AND the peer's NodeId accepted. */
  get isEstablished(): boolean {
    return this.phaseValue === 'open';
  }
  get isClosed(): boolean {
    return this.phaseValue === 'closed';
  }
  get peerNodeId(): NodeId | null {
    return this.peer;
  }
  /** Why our NodeId check refused the peer, if it did. */
  get rejectReason(): string | null {
    return this.rejection;
  }
  get closeInfo(): CloseInfo | null {
    return this.closed;
  }
  get traceId(): string {
    return this.native.traceId();
  }
  get sourceCid(): Uint8Array {
    return this.native.sourceId();
  }

  /**
   * Feeds one received UDP payload. quiche decrypts IN PLACE: `buf` is scratch afterwards.
   * Returns false if quiche rejected it (garbage, wrong keys); that is counted, never thrown.
   */
  recvPacket(buf: Uint8Array, len: number, from: HostPort, to: HostPort): boolean {
    if (this.phaseValue === 'closed') return false;
    this.recvInfo.from = from;
    this.recvInfo.to = to;
    let ok = true;
    try {
      this.native.recv(len === buf.byteLength ? buf : buf.subarray(0, len), this.recvInfo);
      this.packetsIn++;
    } catch {
      ok = false;
      this.recvErrorCount++;
    }
    if (this.phaseValue === 'handshake' && this.native.isEstablished()) this.checkPeer();
    return ok;
  }

  /**
   * Runs control-stream I/O, then drains every packet quiche wants to send into `sink`, until
   * quiche has nothing more or the sink is full. Returns the number of packets written.
   */
  flush(sink: PacketSink): number {
    if (this.phaseValue === 'open') {
      this.control.pumpRead(this.handlers.onControl);
      this.control.pumpWrite();
    }
    let n = 0;
    const writer = typeof sink === 'function' ? null : sink;
    for (;;) {
      const buf = writer === null ? this.scratch : writer.nextBuffer();
      if (buf === null) break;
      let r: ReturnType<NativeConnection['send']>;
      try {
        r = this.native.send(buf);
      } catch {
        break; // quiche reports Done this way in some states; nothing to send
      }
      if (r === null) break;
      const [len, info] = r;
      if (writer === null) (sink as (b: Uint8Array, l: number, t: HostPort) => void)(buf, len, info.to);
      else writer.commit(len, info.to);
      n++;
    }
    drainRetiredCids(this.native, this.cidHooks);
    this.checkClosed();
    return n;
  }

  /**
   * Queues one DATAGRAM frame (copied). false = refused: the send queue is full (congestion:
   * back off or drop), the payload exceeds maxDatagramSize(), or the connection is not open.
   */
  sendDatagram(buf: Uint8Array, off: number, len: number): boolean {
    if (this.phaseValue !== 'open') return false;
    const view = off === 0 && len === buf.byteLength ? buf : buf.subarray(off, off + len);
    try {
      if (this.native.dgramSend(view) === null) {
        this.dgramRefused++;
        return false;
      }
      return true;
    } catch {
      this.dgramRefused++;
      return false;
    }
  }

  /**
   * Offers each DATAGRAM still in the send queue (not yet sent, so never seen by the peer) to
   * `take`, oldest first; those it takes (returns true for) leave the queue. `take` gets a copy.
   */
  takeQueued(take: (datagram: Uint8Array) => boolean): void {
    try {
      if (this.native.dgramSendQueueLen() > 0) this.native.dgramPurgeOutgoing(take);
    } catch {
      // a closed connection: nothing to take
    }
  }

  dgramQueueFull(): boolean {
    return this.native.isDgramSendQueueFull();
  }
  dgramQueueLen(): number {
    return this.native.dgramSendQueueLen();
  }
  /** Largest payload sendDatagram takes now (0 before the handshake). */
  maxDatagramSize(): number {
    try {
      return this.native.dgramMaxWritableLen() ?? 0;
    } catch {
      return 0;
    }
  }
  /**
   * Whether a datagram queued now would leave soon. quiche does not expose bytes in flight, so this
   * is "open and the send queue is below half full": the queue fills exactly when the congestion
   * window is the limit.
   */
  canSend(): boolean {
    return this.phaseValue === 'open' && this.native.dgramSendQueueLen() * 2 < this.sendQueueCap;
  }

  /** The one buffer recvDatagrams delivers every datagram in. */
  get datagramBuffer(): Uint8Array {
    return this.dgramBuf;
  }

  /**
   * Delivers received datagrams, at most `max`, to `onDatagram(buf, len)`. `buf` is one reused
   * buffer: consume or copy before returning. Nothing is delivered unless the peer is verified.
   */
  recvDatagrams(onDatagram: (buf: Uint8Array, len: number) => void, max = Number.POSITIVE_INFINITY): number {
    if (this.phaseValue !== 'open') return 0;
    let n = 0;
    while (n < max) {
      let len: number | null;
      try {
        len = this.native.dgramRecv(this.dgramBuf);
      } catch {
        break;
      }
      if (len === null) break;
      onDatagram(this.dgramBuf, len);
      n++;
    }
    return n;
  }

  /** Appends bytes to the control stream (sent on the next flush). false = pending queue full or not open. */
  sendControl(bytes: Uint8Array): boolean {
    if (this.phaseValue !== 'open') return false;
    return this.control.send(bytes);
  }

  /** Milliseconds until onTimeout() must be called; null = no timer needed. */
  timeoutMs(): number | null {
    return this.native.timeout();
  }

  /** Call when the timer from timeoutMs() fires, then flush(). */
  onTimeout(): void {
    this.native.onTimeout();
    this.checkClosed();
  }

  /** Makes the next flush carry an ack-eliciting packet (a PING): the caller's keepalive. */
  sendAckEliciting(): void {
    try {
      this.native.sendAckEliciting();
    } catch {
      // closed or draining: nothing to keep alive
    }
  }

  stats(): QuicStats {
    return readStats(this.native, this.dgramRefused, this.recvErrorCount);
  }

  /** Graceful close with an application code; flush() afterwards sends CONNECTION_CLOSE. */
  close(code: number, reason: string): void {
    if (this.phaseValue === 'closed') return;
    try {
      this.native.close(true, code, new TextEncoder().encode(reason));
    } catch {
      // already closing
    }
  }

  /** Moves this (client) connection to a new local address; quiche validates the new path. */
  migrate(local: HostPort): QuicResult<number> {
    try {
      return { ok: true, value: this.native.migrateSource(local) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /** Starts path validation of local->peer without moving traffic to it. */
  probePath(local: HostPort, peer: HostPort): QuicResult<number> {
    try {
      return { ok: true, value: this.native.probePath(local, peer) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /** Next path event (new path seen, validated, peer migrated...), or null. */
  pollPathEvent(): PathEvent | null {
    return readPathEvent(this.native);
  }

  private checkPeer(): void {
    const verdict = verifyPeerChain(this.native.peerCertChain(), this.expectPeer);
    if (!verdict.ok) {
      this.phaseValue = 'rejected';
      this.rejection = verdict.reason;
      try {
        this.native.close(false, CLOSE_BAD_CERTIFICATE, new TextEncoder().encode('peer not authorized'));
      } catch {
        // already closing
      }
      return;
    }
    this.phaseValue = 'open';
    this.peer = verdict.nodeId;
    issueSpareCids(this.native, this.cidSecret, this.cidHooks);
    this.onOpen?.(this, verdict.nodeId);
    this.handlers.onEstablished?.(verdict.nodeId);
  }

  private checkClosed(): void {
    if (this.phaseValue === 'closed' || !this.native.isClosed()) return;
    this.phaseValue = 'closed';
    this.closed = closeInfoOf(this.native);
    this.handlers.onClosed?.(this.closed);
  }
}
