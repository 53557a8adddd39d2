// Control-stream messages (seed §8.3.1 capability negotiation, §8.3.2 keepalives, path reports).
// The control stream is a QUIC bidirectional stream, i.e. a byte stream; framing and the
// incremental reader live in control-frame.ts. This file is the message body codec.
//
// Body format (all integers big-endian):
//
//   +---------+--------+------------------------------------------------+
//   | wire=1  | type   | fields: (tag u8, length u16, value[length])*   |
//   +---------+--------+------------------------------------------------+
//
// Additive by construction (STYLE §4): a field is a TLV, so new optional fields get new tags and
// old readers skip tags they do not know; array fields are the same tag repeated; a truncated
// trailing TLV is ignored. Unknown message types decode to `null` ("skip it"). The wire byte
// changes only for an incompatible change; a reader rejects wire versions it does not know.
//
// Value encodings: u32 = 4 bytes; f64 = 8 bytes IEEE-754; bool = 1 byte (0 = false);
// str = UTF-8 (invalid UTF-8 is rejected); bytes = raw.
//
// Decoding lives in control-decode.ts and never throws: every failure is `{ ok: false, error }`.
// Encoders throw RangeError on values that cannot be represented (a caller bug, e.g. a negative
// u32).

export const CONTROL_WIRE_VERSION = 1;
/** Control protocol versions this build speaks (negotiated by hello / helloAck). */
export const CONTROL_PROTOCOL_VERSIONS: readonly number[] = [1];

export const MessageType = {
  hello: 1,
  helloAck: 2,
  keepalive: 3,
  keepaliveAck: 4,
  pathReport: 5,
  close: 6,
  schedule: 7,
  pathClosed: 8,
  hcDefine: 9,
  hcAck: 10,
  hcUnknown: 11,
  pathHearing: 12,
} as const;

/** How a path reaches the network, as the sender's interface monitor sees it. */
export type PathKind = 'ethernet' | 'wifi' | 'cellular' | 'other';
export const PATH_KINDS: readonly string[] = ['ethernet', 'wifi', 'cellular', 'other'];

export interface HelloMessage {
  type: 'hello';
  /** Control protocol versions the sender speaks. Non-empty. */
  protocolVersions: number[];
  nodeId: string;
  multipath: boolean;
  /** Preferred tunnel MTU in bytes. */
  mtu: number;
  features: string[];
  /** Present when this path joins an existing session (token from the first path's helloAck). */
  sessionToken?: Uint8Array;
  pathInfo?: PathInfo;
}

/** The sender's view of one path, in its hello. */
export interface PathInfo {
  interface: string;
  kind: PathKind;
  /** The sender's priority for the path (0 = first in its interface list; failover order). */
  priority?: number;
  /** The sender's configured weight for the path (> 0). */
  weight?: number;
}

export interface HelloAckMessage {
  type: 'helloAck';
  chosenVersion: number;
  sessionToken: Uint8Array;
  pathId: number;
  mtu: number;
  features: string[];
}

export interface KeepaliveMessage {
  type: 'keepalive';
  seq: number;
  /** Sender's monotonic clock, ms; echoed back untouched. */
  sentAt: number;
}

export interface KeepaliveAckMessage {
  type: 'keepaliveAck';
  seq: number;
  echoSentAt: number;
}

export interface PathReportMessage {
  type: 'pathReport';
  pathId: number;
  rttMs: number;
  /** Loss in thousandths (0..1000). */
  lossPermille: number;
  rttVarMs?: number;
  /** Delivery rate, bytes per second. */
  deliveryRate?: number;
  /** Congestion window, bytes. */
  cwnd?: number;
  /** Path MTU, bytes. */
  pmtu?: number;
}

/**
 * How the sender wants traffic toward it scheduled (seed §8.3.1 "config negotiation"). The laptop
 * is where the user picks a mode and a strategy; the gateway applies them to what it sends that
 * laptop, so replies to a ping on a `latency` laptop do not cross a 600 ms path. Names are the
 * config file's; a receiver ignores a message whose names it does not know.
 */
export interface ScheduleMessage {
  type: 'schedule';
  /** `[multipath] mode`: "disable", "aggregate" or "failover". */
  mode: string;
  /** `[multipath] scheduler`: "round-robin", "weighted", "latency" or "redundant". */
  scheduler: string;
  interactiveMaxRttMs?: number;
  bulkMinBandwidthMbps?: number;
  /** `[multipath.policies] redundant_copies`. */
  redundantCopies?: number;
}

/**
 * The sender closed one of its paths for a reason it saw locally (its interface went down or lost
 * the path's address, or the user switched it off), sent on its other paths: that path's own
 * close may never leave. The receiver stops using the path named by `interface` at once instead
 * of sending into it until its probes fail. A receiver that does not know it ignores it.
 */
export interface PathClosedMessage {
  type: 'pathClosed';
  /** The interface the path ran over, as the sender's hello named it (`pathInfo.interface`). */
  interface: string;
  reason: string;
}

/**
 * The sender stopped (`hearing: false`) or started again (`true`) hearing the receiver on one
 * path: what it sends there goes unanswered (answer-watch.ts), though the receiver may still hear
 * it, so only this end can tell that the other direction died. Sent on another path, and again
 * while it lasts (PATH_HEARING_REPEAT_MS); the receiver takes nothing but its fastest-path
 * packets and bulk off the path (a one-way blackhole), and a receiver that does not know the
 * message ignores it.
 */
export interface PathHearingMessage {
  type: 'pathHearing';
  /** The path's interface on the laptop, as its hello named it (`pathInfo.interface`). */
  interface: string;
  hearing: boolean;
  /** The sender's count of its reports about this path. Reports travel on different paths'
   *  streams and can arrive out of order (a "not hearing" over a 600 ms path after the "hearing"
   *  sent later over a 10 ms one): the receiver ignores one not newer than the last it took. */
  seq: number;
}

/**
 * Inner-header compression (header-compress.ts), sent only between peers that both announced the
 * "hc-v1" feature. hcDefine: the sender will compress a flow's packets under context `id`, whose
 * 16-byte template is `template`; hcAck: the receiver stored it (echoing the template, so an ack
 * of an older definition of the same ID does not count); hcUnknown: a compressed packet named a
 * context the receiver does not hold (it lost its state), so the sender defines it again.
 */
export interface HcDefineMessage {
  type: 'hcDefine';
  id: number;
  template: Uint8Array;
}

export interface HcAckMessage {
  type: 'hcAck';
  id: number;
  template: Uint8Array;
}

export interface HcUnknownMessage {
  type: 'hcUnknown';
  id: number;
}

export interface CloseMessage {
  type: 'close';
  code: number;
  reason: string;
}

export type ControlMessage =
  | HelloMessage
  | HelloAckMessage
  | KeepaliveMessage
  | KeepaliveAckMessage
  | PathReportMessage
  | ScheduleMessage
  | PathClosedMessage
  | PathHearingMessage
  | HcDefineMessage
  | HcAckMessage
  | HcUnknownMessage
  | CloseMessage;

/** Close codes. Stable numbers; unknown codes are treated like `protocolError`. */
export const CloseCode = {
  normal: 0,
  protocolError: 1,
  versionMismatch: 2,
  unknownSession: 3,
  notAuthorized: 4,
  shuttingDown: 5,
} as const;

/** Highest version both sides speak, or undefined. */
export function chooseVersion(ours: readonly number[], theirs: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const v of theirs) if (ours.includes(v) && (best === undefined || v > best)) best = v;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Encoding

class TlvWriter {
  private buf = new Uint8Array(64);
  private len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  header(type: number): void {
    this.ensure(2);
    this.buf[this.len++] = CONTROL_WIRE_VERSION;
    this.buf[this.len++] = type;
  }
  raw(tag: number, value: Uint8Array): void {
    if (value.length > 0xffff) throw new RangeError(`control: field ${tag} longer than 65535 bytes`);
    this.ensure(3 + value.length);
    this.buf[this.len] = tag;
    this.buf[this.len + 1] = value.length >>> 8;
    this.buf[this.len + 2] = value.length & 0xff;
    this.buf.set(value, this.len + 3);
    this.len += 3 + value.length;
  }
  u32(tag: number, v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new RangeError(`control: field ${tag}: ${v} is not a u32`);
    this.raw(tag, Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }
  f64(tag: number, v: number): void {
    if (!Number.isFinite(v)) throw new RangeError(`control: field ${tag}: ${v} is not finite`);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v);
    this.raw(tag, b);
  }
  bool(tag: number, v: boolean): void {
    this.raw(tag, Uint8Array.of(v ? 1 : 0));
  }
  str(tag: number, v: string): void {
    this.raw(tag, utf8.encode(v));
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const utf8 = new TextEncoder();

/** Encodes a message body (without the frame length prefix). */
export function encodeControlMessage(msg: ControlMessage): Uint8Array {
  const w = new TlvWriter();
  switch (msg.type) {
    case 'hello':
      w.header(MessageType.hello);
      for (const v of msg.protocolVersions) w.u32(1, v);
      w.str(2, msg.nodeId);
      w.bool(3, msg.multipath);
      w.u32(4, msg.mtu);
      for (const f of msg.features) w.str(5, f);
      if (msg.sessionToken !== undefined) w.raw(6, msg.sessionToken);
      if (msg.pathInfo !== undefined) {
        w.str(7, msg.pathInfo.interface);
        w.str(8, msg.pathInfo.kind);
        if (msg.pathInfo.priority !== undefined) w.u32(9, msg.pathInfo.priority);
        if (msg.pathInfo.weight !== undefined) w.f64(10, msg.pathInfo.weight);
      }
      break;
    case 'helloAck':
      w.header(MessageType.helloAck);
      w.u32(1, msg.chosenVersion);
      w.raw(2, msg.sessionToken);
      w.u32(3, msg.pathId);
      w.u32(4, msg.mtu);
      for (const f of msg.features) w.str(5, f);
      break;
    case 'keepalive':
      w.header(MessageType.keepalive);
      w.u32(1, msg.seq);
      w.f64(2, msg.sentAt);
      break;
    case 'keepaliveAck':
      w.header(MessageType.keepaliveAck);
      w.u32(1, msg.seq);
      w.f64(2, msg.echoSentAt);
      break;
    case 'pathReport':
      w.header(MessageType.pathReport);
      w.u32(1, msg.pathId);
      w.f64(2, msg.rttMs);
      w.u32(3, msg.lossPermille);
      if (msg.rttVarMs !== undefined) w.f64(4, msg.rttVarMs);
      if (msg.deliveryRate !== undefined) w.f64(5, msg.deliveryRate);
      if (msg.cwnd !== undefined) w.u32(6, msg.cwnd);
      if (msg.pmtu !== undefined) w.u32(7, msg.pmtu);
      break;
    case 'schedule':
      w.header(MessageType.schedule);
      w.str(1, msg.mode);
      w.str(2, msg.scheduler);
      if (msg.interactiveMaxRttMs !== undefined) w.f64(3, msg.interactiveMaxRttMs);
      if (msg.bulkMinBandwidthMbps !== undefined) w.f64(4, msg.bulkMinBandwidthMbps);
      if (msg.redundantCopies !== undefined) w.u32(5, msg.redundantCopies);
      break;
    case 'pathClosed':
      w.header(MessageType.pathClosed);
      w.str(1, msg.interface);
      w.str(2, msg.reason);
      break;
    case 'pathHearing':
      w.header(MessageType.pathHearing);
      w.str(1, msg.interface);
      w.bool(2, msg.hearing);
      w.u32(3, msg.seq);
      break;
    case 'hcDefine':
    case 'hcAck':
      w.header(msg.type === 'hcDefine' ? MessageType.hcDefine : MessageType.hcAck);
      w.u32(1, msg.id);
      w.raw(2, msg.template);
      break;
    case 'hcUnknown':
      w.header(MessageType.hcUnknown);
      w.u32(1, msg.id);
      break;
    case 'close':
      w.header(MessageType.close);
      w.u32(1, msg.code);
      w.str(2, msg.reason);
      break;
  }
  return w.done();
}
