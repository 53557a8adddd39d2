import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodePayload, encodeFrame, FrameDecoder } from '../../../app/protocol/framing.ts';

describe('framing', () => {
  test('round-trips values split at every possible chunk boundary', () => {
    const values = [{ type: 'hello', version: 1 }, { a: 'ünïcødé ✓', n: [1, 2, 3] }, 'x'];
    const wire = Buffer.concat(values.map((v) => encodeFrame(v, 1024)));
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new FrameDecoder(1024);
      const out = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      assert.deepEqual(
        out.map((p) => decodePayload(p)),
        values.map((value) => ({ ok: true, value })),
      );
      assert.equal(d.pendingBytes, 0);
    }
  });

  test('property: any JSON values, any chunking, decode to the same values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.array(fc.nat(64), { maxLength: 20 }),
        (values, cuts) => {
          const wire = Buffer.concat(values.map((v) => encodeFrame(v, 1 << 20)));
          const d = new FrameDecoder(1 << 20);
          const out: unknown[] = [];
          let at = 0;
          for (const c of cuts) {
            out.push(...d.push(wire.subarray(at, at + c)));
            at += c;
          }
          out.push(...d.push(wire.subarray(at)));
          const decoded = (out as Buffer[]).map((p) => decodePayload(p));
          // JSON normalises -0 to 0; compare through JSON for that reason.
          assert.deepEqual(JSON.stringify(decoded.map((x) => (x.ok ? x.value : x))), JSON.stringify(values));
        },
      ),
    );
  });

  test('a 1 GiB length prefix fails at once without buffering', () => {
    const d = new FrameDecoder(64 * 1024);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1 << 30);
    assert.deepEqual(d.push(head), []);
    assert.deepEqual(d.error, { kind: 'too_large', length: 1 << 30, max: 64 * 1024 });
    assert.equal(d.pendingBytes, 0);
    assert.deepEqual(d.push(Buffer.alloc(1000)), [], 'a failed decoder yields nothing more');
  });

  test('zero-length frames and non-JSON payloads are errors, not exceptions', () => {
    const d = new FrameDecoder(100);
    d.push(Buffer.from([0, 0, 0, 0]));
    assert.equal(d.error?.kind, 'empty');
    assert.equal(decodePayload(Buffer.from([1, 0x7b])).ok, false);
    assert.equal(decodePayload(Buffer.from([9, 0x31])).ok, false, 'unknown frame format');
    assert.equal(decodePayload(Buffer.alloc(0)).ok, false);
  });

  test('encodeFrame refuses to build a frame above the cap', () => {
    assert.throws(() => encodeFrame('x'.repeat(200), 100), RangeError);
  });
});
