// Framing for the control stream (a QUIC bidirectional stream = a byte stream).
//
//   +--------------------+-------------------------------------------+
//   | length (u32, BE)   | body (control-messages.ts), length bytes  |
//   +--------------------+-------------------------------------------+
//
// The reader is incremental: feed it chunks as they come off the stream (any split, including
// inside the length prefix) and it returns the messages completed by that chunk. It never holds
// more than 4 + maxFrameSize bytes: a frame whose prefix announces more than maxFrameSize is
// reported once and its body is discarded as it streams past, without buffering, so one bad
// frame does not desynchronise the stream. The caller decides whether an error closes the stream.

import { decodeControlMessage } from './control-decode.ts';
import { type ControlMessage, encodeControlMessage } from './control-messages.ts';

export const FRAME_PREFIX_LEN = 4;
/**
 * Default frame size bound. Control messages are a few hundred bytes; 64 KiB leaves room for
 * growth while bounding what a misbehaving peer can make us buffer per stream.
 */
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024;

/** Encodes one message as a length-prefixed frame. */
export function encodeControlFrame(msg: ControlMessage): Uint8Array {
  const body = encodeControlMessage(msg);
  return frameBody(body);
}

/** Wraps an already-encoded body in a length prefix. */
export function frameBody(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_PREFIX_LEN + body.length);
  const n = body.length;
  out[0] = n >>> 24;
  out[1] = n >>> 16;
  out[2] = n >>> 8;
  out[3] = n;
  out.set(body, FRAME_PREFIX_LEN);
  return out;
}

export type FrameEvent =
  | { ok: true; message: ControlMessage }
  | {
      ok: false;
      /** 'oversize': prefix above the limit (body discarded); 'malformed': body did not decode. */
      kind: 'oversize' | 'malformed';
      error: string;
    };

export interface ControlFrameReaderOptions {
  maxFrameSize?: number;
}

export class ControlFrameReader {
  readonly maxFrameSize: number;
  private readonly prefix = new Uint8Array(FRAME_PREFIX_LEN);
  private prefixHave = 0;
  /** Body length of the frame being read; -1 while reading the prefix. */
  private bodyLen = -1;
  private body = new Uint8Array(0);
  private bodyHave = 0;
  /** Bytes of an oversize frame still to throw away. */
  private discard = 0;
  /** Well-formed frames of unknown message types, skipped. */
  skippedUnknown = 0;
  /** Frames rejected (oversize or malformed). */
  rejected = 0;

  constructor(opts: ControlFrameReaderOptions = {}) {
    const max = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(max) || max < 2)
      throw new RangeError('ControlFrameReader: maxFrameSize must be an integer >= 2');
    this.maxFrameSize = max;
  }

  /** Bytes held for the frame in progress (always <= 4 + maxFrameSize). */
  get bufferedBytes(): number {
    return this.prefixHave + this.bodyHave;
  }

  /** Feeds one chunk; returns the events completed by it, in stream order. Never throws. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let p = 0;
    while (p < chunk.length) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, chunk.length - p);
        this.discard -= n;
        p += n;
        continue;
      }
      if (this.bodyLen < 0) {
        const n = Math.min(FRAME_PREFIX_LEN - this.prefixHave, chunk.length - p);
        this.prefix.set(chunk.subarray(p, p + n), this.prefixHave);
        this.prefixHave += n;
        p += n;
        if (this.prefixHave < FRAME_PREFIX_LEN) break;
        const len =
          ((this.prefix[0]! << 24) | (this.prefix[1]! << 16) | (this.prefix[2]! << 8) | this.prefix[3]!) >>>
          0;
        this.prefixHave = 0;
        if (len > this.maxFrameSize) {
          this.discard = len;
          this.rejected++;
          events.push({
            ok: false,
            kind: 'oversize',
            error: `control frame of ${len} bytes exceeds the ${this.maxFrameSize}-byte limit`,
          });
          continue;
        }
        this.bodyLen = len;
        this.bodyHave = 0;
        if (this.body.length < len)
          this.body = new Uint8Array(Math.max(len, Math.min(this.maxFrameSize, 256)));
      }
      const n = Math.min(this.bodyLen - this.bodyHave, chunk.length - p);
      this.body.set(chunk.subarray(p, p + n), this.bodyHave);
      this.bodyHave += n;
      p += n;
      if (this.bodyHave === this.bodyLen) this.finishFrame(events);
    }
    return events;
  }

  private finishFrame(events: FrameEvent[]): void {
    const decoded = decodeControlMessage(this.body.subarray(0, this.bodyLen));
    this.bodyLen = -1;
    this.bodyHave = 0;
    if (!decoded.ok) {
      this.rejected++;
      events.push({ ok: false, kind: 'malformed', error: decoded.error });
    } else if (decoded.value === null) {
      this.skippedUnknown++;
    } else {
      events.push({ ok: true, message: decoded.value });
    }
  }
}
