// Control-stream message decoding (the format is described in control-messages.ts). Never throws:
// a malformed body is `{ ok: false, error }` naming the message and the field.

import {
  CONTROL_WIRE_VERSION,
  type ControlMessage,
  type HelloMessage,
  MessageType,
  PATH_KINDS,
  type PathKind,
  type PathReportMessage,
  type ScheduleMessage,
} from './control-messages.ts';
import type { Decoded } from './types.ts';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

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
  const copies = f.optU32(5, 'redundantCopies');
  if (copies !== undefined) msg.redundantCopies = copies;
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
      case MessageType.pathClosed:
        return {
          ok: true,
          value: { type: 'pathClosed', interface: f.str(1, 'interface'), reason: f.str(2, 'reason') },
        };
      case MessageType.pathHearing:
        return {
          ok: true,
          value: {
            type: 'pathHearing',
            interface: f.str(1, 'interface'),
            hearing: f.bool(2, 'hearing'),
            seq: f.u32(3, 'seq'),
          },
        };
      case MessageType.hcDefine:
        return {
          ok: true,
          value: { type: 'hcDefine', id: f.u32(1, 'id'), template: f.bytes(2, 'template') },
        };
      case MessageType.hcAck:
        return { ok: true, value: { type: 'hcAck', id: f.u32(1, 'id'), template: f.bytes(2, 'template') } };
      case MessageType.hcUnknown:
        return { ok: true, value: { type: 'hcUnknown', id: f.u32(1, 'id') } };
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
