// Framing of the control socket. Every frame is
//
//   u32 length (big-endian, counts the bytes after it) | u8 frame format | payload
//
// With format FRAME_FORMAT_JSON the payload is one UTF-8 JSON value. The receiver enforces a cap
// on `length` as soon as the 4-byte prefix arrives, so a hostile prefix (e.g. 1 GiB) costs four
// bytes of memory, not a gigabyte. After a framing error the stream cannot be resynchronised:
// the decoder stays failed and the connection must be closed.
import type { Decoded } from '../core/types.ts';
import { FRAME_FORMAT_JSON, FRAME_HEADER_BYTES } from './version.ts';

export type FrameError =
  | { kind: 'too_large'; length: number; max: number }
  | { kind: 'bad_format'; format: number }
  | { kind: 'empty' };

/** Encodes one JSON-serialisable value into a frame. Throws if the result exceeds `maxBytes`. */
export function encodeFrame(value: unknown, maxBytes: number): Buffer {
  const json = JSON.stringify(value);
  const bodyLen = Buffer.byteLength(json, 'utf8');
  const length = 1 + bodyLen;
  if (length > maxBytes) throw new RangeError(`frame of ${length} bytes exceeds the ${maxBytes}-byte cap`);
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  buf.writeUInt32BE(length, 0);
  buf.writeUInt8(FRAME_FORMAT_JSON, FRAME_HEADER_BYTES);
  buf.write(json, FRAME_HEADER_BYTES + 1, 'utf8');
  return buf;
}

/** Parses a frame payload (format byte + body) into an unknown JSON value. */
export function decodePayload(payload: Buffer): Decoded<unknown> {
  if (payload.length < 1) return { ok: false, error: 'empty frame' };
  const format = payload[0];
  if (format !== FRAME_FORMAT_JSON) return { ok: false, error: `unknown frame format ${format}` };
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8', 1)) as unknown };
  } catch {
    return { ok: false, error: 'frame body is not JSON' };
  }
}

/**
 * Incremental frame splitter. Feed it socket chunks; it returns complete payloads (format byte
 * + body). Buffers at most one partial frame (≤ maxFrameBytes + 4 bytes).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: FrameError | null = null;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes currently held waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  get error(): FrameError | null {
    return this.failed;
  }

  /**
   * Adds a chunk and returns the payloads it completed. On a framing error, returns the payloads
   * completed before it and sets `error`; later pushes return nothing.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) break;
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes) {
        this.fail({ kind: 'too_large', length, max: this.maxFrameBytes });
        break;
      }
      if (length === 0) {
        this.fail({ kind: 'empty' });
        break;
      }
      if (this.buffered < FRAME_HEADER_BYTES + length) break;
      const frame = this.take(FRAME_HEADER_BYTES + length);
      out.push(frame.subarray(FRAME_HEADER_BYTES));
    }
    return out;
  }

  private fail(e: FrameError): void {
    this.failed = e;
    this.chunks = [];
    this.buffered = 0;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.peek(n);
    const frame = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return frame;
  }
}

export function describeFrameError(e: FrameError): string {
  switch (e.kind) {
    case 'too_large':
      return `frame length ${e.length} exceeds the ${e.max}-byte cap`;
    case 'bad_format':
      return `unknown frame format ${e.format}`;
    case 'empty':
      return 'zero-length frame';
  }
}
