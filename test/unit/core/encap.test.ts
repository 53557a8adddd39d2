import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DATA_HEADER_LEN,
  DecodeError,
  dataHeaderFlags,
  decodeHeader,
  decodeHeaderInto,
  encapsulate,
  encapsulateInto,
  encodeHeaderBefore,
  encodeHeaderInto,
  FLAG_COMPRESSED,
  FLAG_HAS_FLOW_ID,
  FLAG_HAS_SEQ,
  FLAG_INTERACTIVE,
  FLAG_REDUNDANT,
  FLAG_SPREAD,
  HEADER_LEN,
  headerLength,
  KNOWN_FLAGS,
  newDecodedHeader,
} from '../../../app/core/encap.ts';
import { COMPRESSED_MIN_LEN } from '../../../app/core/header-compress.ts';
import { buildPacket } from './packet-builder.ts';

const FULL = FLAG_HAS_FLOW_ID | FLAG_HAS_SEQ;

describe('encap header layout', () => {
  test('full header is 10 bytes, big-endian, version 1', () => {
    const buf = new Uint8Array(16);
    const n = encodeHeaderInto(buf, 3, {
      flags: FULL | FLAG_INTERACTIVE,
      flowId: 0xdeadbeef,
      seq: 0x01020304,
    });
    assert.equal(n, HEADER_LEN);
    assert.deepEqual([...buf.subarray(3, 13)], [1, 0x0d, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
  });

  test('optional fields follow their flags', () => {
    assert.equal(headerLength(0), 2);
    assert.equal(headerLength(FLAG_HAS_FLOW_ID), 6); // the seed §8.2.2 6-byte form
    assert.equal(headerLength(FLAG_HAS_SEQ), 6);
    const ip = buildPacket();
    const enc = encapsulate(ip, { flags: FLAG_HAS_SEQ, flowId: 99, seq: 7 });
    const d = decodeHeader(enc);
    assert.ok(d.ok);
    assert.equal(d.value.flowId, 0, 'flow ID absent reads as 0');
    assert.equal(d.value.seq, 7);
    assert.equal(d.value.payloadOffset, 6);
  });

  test('unknown flag bits are ignored on decode and cleared on encode', () => {
    const ip = buildPacket();
    const enc = encapsulate(ip, { flags: FULL, flowId: 1, seq: 2 });
    enc[1] = enc[1]! | 0xc0;
    const d = decodeHeader(enc);
    assert.ok(d.ok);
    assert.equal(d.value.flags, FULL);
    const buf = new Uint8Array(10);
    encodeHeaderInto(buf, 0, { flags: 0xff, flowId: 1, seq: 2 });
    assert.equal(buf[1], 0x3f);
  });

  test('FLAG_SPREAD survives a round trip', () => {
    const enc = encapsulate(buildPacket(), { flags: FULL | FLAG_SPREAD, flowId: 1, seq: 2 });
    const d = decodeHeader(enc);
    assert.ok(d.ok);
    assert.equal(d.value.flags, FULL | FLAG_SPREAD);
  });

  test('encodeHeaderBefore writes in the headroom without copying the packet', () => {
    const ip = buildPacket({ payload: 100 });
    const buf = new Uint8Array(HEADER_LEN + ip.length);
    buf.set(ip, HEADER_LEN);
    const start = encodeHeaderBefore(buf, HEADER_LEN, { flags: FULL, flowId: 5, seq: 6 });
    assert.equal(start, 0);
    const out = newDecodedHeader();
    assert.equal(decodeHeaderInto(buf, buf.length, out), DecodeError.ok);
    assert.deepEqual(buf.subarray(out.payloadOffset, out.payloadOffset + out.payloadLength), ip);
    // A shorter header (no seq) starts later in the same headroom.
    assert.equal(encodeHeaderBefore(buf, HEADER_LEN, { flags: FLAG_HAS_FLOW_ID, flowId: 5, seq: 0 }), 4);
    assert.throws(() => encodeHeaderBefore(buf, 3, { flags: FULL, flowId: 0, seq: 0 }), RangeError);
  });
});

describe('the data header the helper sends', () => {
  test('is 6 bytes: version, flags, sequence; no flow ID, whatever the packet', () => {
    assert.equal(DATA_HEADER_LEN, 6);
    const ip = buildPacket({ payload: 64 });
    for (const interactive of [false, true])
      for (const redundant of [false, true])
        for (const spread of [false, true]) {
          const flags = dataHeaderFlags(interactive, redundant, spread);
          assert.equal(flags & FLAG_HAS_FLOW_ID, 0);
          assert.equal(headerLength(flags), DATA_HEADER_LEN);
          const buf = new Uint8Array(HEADER_LEN + ip.length);
          buf.set(ip, HEADER_LEN);
          const start = encodeHeaderBefore(buf, HEADER_LEN, { flags, flowId: 0xabcdef, seq: 0xfffffffe });
          assert.equal(buf.length - start, ip.length + DATA_HEADER_LEN, 'datagram = packet + 6 bytes');
          const out = newDecodedHeader();
          assert.equal(decodeHeaderInto(buf, buf.length - start, out, start), DecodeError.ok);
          assert.equal(out.seq, 0xfffffffe);
          assert.equal(out.flowId, 0);
          assert.equal(!!(out.flags & FLAG_INTERACTIVE), interactive);
          assert.equal(!!(out.flags & FLAG_REDUNDANT), redundant);
          assert.equal(!!(out.flags & FLAG_SPREAD), spread);
          assert.deepEqual(buf.subarray(out.payloadOffset, out.payloadOffset + out.payloadLength), ip);
        }
  });
});

describe('encap decode rejects', () => {
  const ip = buildPacket();
  test('too short', () => {
    const d = decodeHeader(Uint8Array.of(1));
    assert.equal(d.ok, false);
    const enc = encapsulate(ip, { flags: FULL, flowId: 1, seq: 1 });
    assert.equal(decodeHeaderInto(enc, 9, newDecodedHeader()), DecodeError.tooShort);
  });
  test('wrong version', () => {
    const enc = encapsulate(ip, { flags: FULL, flowId: 1, seq: 1 });
    enc[0] = 2;
    assert.equal(decodeHeaderInto(enc, enc.length, newDecodedHeader()), DecodeError.badVersion);
  });
  test('payload that is not IPv4/IPv6', () => {
    const enc = encapsulate(ip, { flags: FULL, flowId: 1, seq: 1 });
    enc[HEADER_LEN] = 0x55; // version nibble 5
    assert.equal(decodeHeaderInto(enc, enc.length, newDecodedHeader()), DecodeError.notIp);
    const truncated = encapsulate(ip.subarray(0, 12), { flags: FULL, flowId: 1, seq: 1 });
    assert.equal(decodeHeaderInto(truncated, truncated.length, newDecodedHeader()), DecodeError.notIp);
  });
  test('len beyond the buffer is "too short", not a read past the end', () => {
    assert.equal(decodeHeaderInto(new Uint8Array(4), 100, newDecodedHeader()), DecodeError.tooShort);
  });
});

describe('encap properties', () => {
  const ipArb = fc
    .record({ version: fc.constantFrom<4 | 6>(4, 6), payload: fc.integer({ min: 0, max: 1400 }) })
    .map((s) => buildPacket({ ...s, proto: 17 }));

  test('round trip: header fields and payload bytes survive, at any offset', () => {
    fc.assert(
      fc.property(
        ipArb,
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        (ip, flags, flowId, seq, offset) => {
          const out = new Uint8Array(offset + HEADER_LEN + ip.length + 5);
          const n = encapsulateInto(out, offset, ip, ip.length, { flags, flowId, seq });
          const d = newDecodedHeader();
          assert.equal(decodeHeaderInto(out, n, d, offset), DecodeError.ok);
          assert.equal(d.flags, flags & KNOWN_FLAGS);
          assert.equal(d.flowId, flags & FLAG_HAS_FLOW_ID ? flowId : 0);
          assert.equal(d.seq, flags & FLAG_HAS_SEQ ? seq : 0);
          assert.equal(d.payloadLength, ip.length);
          assert.deepEqual(out.subarray(d.payloadOffset, d.payloadOffset + d.payloadLength), ip);
          assert.equal(Boolean(d.flags & FLAG_REDUNDANT), Boolean(flags & FLAG_REDUNDANT));
        },
      ),
    );
  });

  // Half pure noise, half noise behind a valid version byte so the deeper checks are reached.
  const datagramish = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.uint8Array({ maxLength: 80 }).map((b) => Uint8Array.of(1, ...b)),
  );

  test('decoder never throws on arbitrary bytes and only accepts IP payloads', () => {
    fc.assert(
      fc.property(datagramish, fc.integer({ min: -2, max: 100 }), (bytes, len) => {
        const d = newDecodedHeader();
        const code = decodeHeaderInto(bytes, len, d);
        if (code === DecodeError.ok) {
          // A compressed payload (header-compress.ts) is not an IP packet until it is rebuilt;
          // the decoder only checks it is long enough to be one.
          if (d.flags & FLAG_COMPRESSED) assert.ok(d.payloadLength >= COMPRESSED_MIN_LEN);
          else {
            const v = bytes[d.payloadOffset]! >> 4;
            assert.ok(v === 4 || v === 6);
          }
          assert.ok(d.payloadOffset + d.payloadLength <= bytes.length);
        }
        decodeHeader(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
