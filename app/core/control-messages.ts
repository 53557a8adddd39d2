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
// Decoders never throw: every failure is `{ ok: false, error }`. Encoders throw RangeError on
// values that cannot be represented (a caller bug, e.g. a negative u32).

import type { Decoded } from './types.ts';

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
} as const;

/** How a path reaches the network, as the sender's interface monitor sees it. */
export type PathKind = 'ethernet' | 'wifi' | 'cellular' | 'other';
const PATH_KINDS: readonly string[] = ['ethernet', 'wifi', 'cellular', 'other'];

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
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

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
      break;
    case 'close':
      w.header(MessageType.close);
      w.u32(1, msg.code);
      w.str(2, msg.reason);
      break;
  }
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Thrown only inside this module and caught by decodeControlMessage; never escapes. */
class FieldError {
  constructor(readonly message: string) {}
}

/** Fields of one body, by tag. Values are views into the body; strings/bytes are copied out. */
class Fields {
  private readonly byTag = new Map<number, Uint8Array[]>();
  constructor(body: Uint8Array, start: number) {
    let p = start;
    while (p + 3 <= body.length) {
      const tag = body[p]!;
      const n = (body[p + 1]! << 8) | body[p + 2]!;
      if (p + 3 + n > body.length) break; // truncated trailing TLV: ignored
      const v = body.subarray(p + 3, p + 3 + n);
      const list = this.byTag.get(tag);
      if (list) list.push(v);
      else this.byTag.set(tag, [v]);
      p += 3 + n;
    }
  }
  private one(tag: number, name: string, required: boolean): Uint8Array | undefined {
    const v = this.byTag.get(tag)?.[0];
    if (v === undefined && required) throw new FieldError(`missing field ${name}`);
    return v;
  }
  private static u32Of(v: Uint8Array, name: string): number {
    if (v.length !== 4) throw new FieldError(`field ${name}: expected 4 bytes, got ${v.length}`);
    return ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
  }
  private static strOf(v: Uint8Array, name: string): string {
    try {
      return utf8Strict.decode(v);
    } catch {
      throw new FieldError(`field ${name}: invalid UTF-8`);
    }
  }
  u32(tag: number, name: string): number {
    return Fields.u32Of(this.one(tag, name, true)!, name);
  }
  optU32(tag: number, name: string): number | undefined {
    const v = this.one(tag, name, false);
    return v === undefined ? undefined : Fields.u32Of(v, name);
  }
  u32s(tag: number, name: string): number[] {
    return (this.byTag.get(tag) ?? []).map((v) => Fields.u32Of(v, name));
  }
  optF64(tag: number, name: string): number | undefined {
    const v = this.one(tag, name, false);
    if (v === undefined) return undefined;
    if (v.length !== 8) throw new FieldError(`field ${name}: expected 8 bytes, got ${v.length}`);
    const x = new DataView(v.buffer, v.byteOffset, 8).getFloat64(0);
    if (!Number.isFinite(x)) throw new FieldError(`field ${name}: not a finite number`);
    return x;
  }
  f64(tag: number, name: string): number {
    const x = this.optF64(tag, name);
    if (x === undefined) throw new FieldError(`missing field ${name}`);
    return x;
  }
  bool(tag: number, name: string): boolean {
    const v = this.one(tag, name, true)!;
    if (v.length !== 1) throw new FieldError(`field ${name}: expected 1 byte, got ${v.length}`);
    return v[0] !== 0;
  }
  str(tag: number, name: string): string {
    return Fields.strOf(this.one(tag, name, true)!, name);
  }
  optStr(tag: number, name: string): string | undefined {
    const v = this.one(tag, name, false);
    return v === undefined ? undefined : Fields.strOf(v, name);
  }
  strs(tag: number, name: string): string[] {
    return (this.byTag.get(tag) ?? []).map((v) => Fields.strOf(v, name));
  }
  bytes(tag: number, name: string): Uint8Array {
    return this.one(tag, name, true)!.slice();
  }
  optBytes(tag: number, name: string): Uint8Array | undefined {
    return this.one(tag, name, false)?.slice();
  }
}

function decodeHello(f: Fields): HelloMessage {
  const protocolVersions = f.u32s(1, 'protocolVersions');
  if (protocolVersions.length === 0) throw new FieldError('missing field protocolVersions');
  const msg: HelloMessage = {
    type: 'hello',
    protocolVersions,
    nodeId: f.str(2, 'nodeId'),
    multipath: f.bool(3, 'multipath'),
    mtu: f.u32(4, 'mtu'),
    features: f.strs(5, 'features'),
  };
  const token = f.optBytes(6, 'sessionToken');
  if (token !== undefined) msg.sessionToken = token;
  const iface = f.optStr(7, 'pathInfo.interface');
  if (iface !== undefined) {
    const kind = f.optStr(8, 'pathInfo.kind') ?? 'other';
    msg.pathInfo = { interface: iface, kind: (PATH_KINDS.includes(kind) ? kind : 'other') as PathKind };
    const priority = f.optU32(9, 'pathInfo.priority');
    if (priority !== undefined) msg.pathInfo.priority = priority;
    const weight = f.optF64(10, 'pathInfo.weight');
    if (weight !== undefined && weight > 0) msg.pathInfo.weight = weight;
  }
  return msg;
}

function decodeSchedule(f: Fields): ScheduleMessage {
  const msg: ScheduleMessage = { type: 'schedule', mode: f.str(1, 'mode'), scheduler: f.str(2, 'scheduler') };
  const rtt = f.optF64(3, 'interactiveMaxRttMs');
  if (rtt !== undefined) msg.interactiveMaxRttMs = rtt;
  const bw = f.optF64(4, 'bulkMinBandwidthMbps');
  if (bw !== undefined) msg.bulkMinBandwidthMbps = bw;
  return msg;
}

function decodePathReport(f: Fields): PathReportMessage {
  const msg: PathReportMessage = {
    type: 'pathReport',
    pathId: f.u32(1, 'pathId'),
    rttMs: f.f64(2, 'rttMs'),
    lossPermille: f.u32(3, 'lossPermille'),
  };
  const rttVarMs = f.optF64(4, 'rttVarMs');
  if (rttVarMs !== undefined) msg.rttVarMs = rttVarMs;
  const deliveryRate = f.optF64(5, 'deliveryRate');
  if (deliveryRate !== undefined) msg.deliveryRate = deliveryRate;
  const cwnd = f.optU32(6, 'cwnd');
  if (cwnd !== undefined) msg.cwnd = cwnd;
  const pmtu = f.optU32(7, 'pmtu');
  if (pmtu !== undefined) msg.pmtu = pmtu;
  return msg;
}

/**
 * Decodes a message body. `{ ok: true, value: null }` means a well-formed body of a message type
 * this build does not know: skip it. Never throws.
 */
export function decodeControlMessage(body: Uint8Array): Decoded<ControlMessage | null> {
  if (body.length < 2) return { ok: false, error: `control message too short (${body.length} bytes)` };
  if (body[0] !== CONTROL_WIRE_VERSION)
    return { ok: false, error: `unsupported control wire version ${body[0]}` };
  const type = body[1]!;
  try {
    const f = new Fields(body, 2);
    switch (type) {
      case MessageType.hello:
        return { ok: true, value: decodeHello(f) };
      case MessageType.helloAck:
        return {
          ok: true,
          value: {
            type: 'helloAck',
            chosenVersion: f.u32(1, 'chosenVersion'),
            sessionToken: f.bytes(2, 'sessionToken'),
            pathId: f.u32(3, 'pathId'),
            mtu: f.u32(4, 'mtu'),
            features: f.strs(5, 'features'),
          },
        };
      case MessageType.keepalive:
        return { ok: true, value: { type: 'keepalive', seq: f.u32(1, 'seq'), sentAt: f.f64(2, 'sentAt') } };
      case MessageType.keepaliveAck:
        return {
          ok: true,
          value: { type: 'keepaliveAck', seq: f.u32(1, 'seq'), echoSentAt: f.f64(2, 'echoSentAt') },
        };
      case MessageType.pathReport:
        return { ok: true, value: decodePathReport(f) };
      case MessageType.schedule:
        return { ok: true, value: decodeSchedule(f) };
      case MessageType.close:
        return { ok: true, value: { type: 'close', code: f.u32(1, 'code'), reason: f.str(2, 'reason') } };
      default:
        return { ok: true, value: null };
    }
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: `${messageName(type)}: ${e.message}` };
    return { ok: false, error: `${messageName(type)}: malformed` };
  }
}

function messageName(type: number): string {
  for (const [name, code] of Object.entries(MessageType)) if (code === type) return name;
  return `type ${type}`;
}
