// Public types of the QUIC driver. They are ours: no quiche type appears here.
import type { NodeId } from '../../core/types.ts';

/** A UDP endpoint. `host` is a literal IP address (v4 or v6), never a name. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export type CongestionControl = 'cubic' | 'bbr' | 'reno';

/** Key and certificate of this node (see app/helper/identity). */
export interface QuicIdentity {
  readonly keyPem: string;
  readonly certPem: string;
}

/** Transport knobs; every one has a default in config.ts with the reason for its value. */
export interface QuicTuning {
  idleTimeoutMs?: number;
  cc?: CongestionControl;
  maxSendUdpPayload?: number;
  maxRecvUdpPayload?: number;
  dgramRecvQueueLen?: number;
  dgramSendQueueLen?: number;
  initialMaxData?: number;
  initialMaxStreamData?: number;
}

/** Snapshot of one connection's transport state (active path for the path fields). */
export interface QuicStats {
  rttMs: number;
  /** Congestion window, bytes. */
  cwnd: number;
  /** Packets lost / sent / received over the connection's life. */
  lost: number;
  sent: number;
  recv: number;
  /** quiche's delivery-rate estimate of the active path, bytes per second. */
  deliveryRate: number;
  /** Path MTU (max UDP payload) in use, bytes. */
  pmtu: number;
  sentBytes: number;
  recvBytes: number;
  lostBytes: number;
  /** Datagrams waiting in quiche's send queue. */
  dgramSendQueueLen: number;
  /** Datagrams refused by sendDatagram because the queue was full (our count). */
  dgramSendRefused: number;
  /** recvPacket calls that quiche rejected (garbage, undecryptable). */
  recvErrors: number;
}

export type CloseInitiator = 'local' | 'peer' | 'idle';

export interface CloseInfo {
  initiator: CloseInitiator;
  /** true: application close code; false: transport code (0x100-0x1ff = TLS alert + 0x100). */
  app: boolean;
  code: number;
  reason: string;
}

/**
 * Where flush() writes outgoing UDP payloads, in caller-owned buffers: flush asks for a buffer,
 * quiche fills it, flush commits it. nextBuffer() returns null when the sink is full; flush then
 * stops and the rest stays inside quiche until the next flush.
 * Buffers must hold at least MAX_UDP_PAYLOAD bytes.
 */
export interface PacketWriter {
  nextBuffer(): Uint8Array | null;
  commit(len: number, to: HostPort): void;
}

/** A callback sink gets a scratch buffer that is reused for the next packet: consume or copy it. */
export type PacketCallback = (buf: Uint8Array, len: number, to: HostPort) => void;

export type PacketSink = PacketWriter | PacketCallback;

export interface QuicConnHandlers {
  /** The peer's certificate passed our NodeId check; datagrams and control bytes flow from now on. */
  onEstablished?(peer: NodeId): void;
  /** Control stream bytes, in order. `chunk` is a reused buffer valid only during the call. */
  onControl?(chunk: Uint8Array, fin: boolean): void;
  /** Fired once, when quiche reports the connection closed (after draining). */
  onClosed?(info: CloseInfo): void;
}

export type PathEventKind = 'new' | 'validated' | 'closed' | 'peer-migrated' | 'reused-cid';
export interface PathEvent {
  kind: PathEventKind;
  local?: HostPort;
  peer: HostPort;
  /** For 'peer-migrated': the address the peer used before. */
  previousPeer?: HostPort;
}

export type QuicResult<T> = { ok: true; value: T } | { ok: false; error: string };
