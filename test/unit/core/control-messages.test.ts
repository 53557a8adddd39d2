import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeControlMessage } from '../../../app/core/control-decode.ts';
import {
  ControlFrameReader,
  DEFAULT_MAX_FRAME_SIZE,
  encodeControlFrame,
  frameBody,
} from '../../../app/core/control-frame.ts';
import {
  CONTROL_WIRE_VERSION,
  type ControlMessage,
  chooseVersion,
  encodeControlMessage,
} from '../../../app/core/control-messages.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const str = fc.string({ unit: 'grapheme', maxLength: 30 });
const num = fc.double({ noNaN: true, noDefaultInfinity: true });
const bytes = fc.uint8Array({ maxLength: 48 });

const messageArb: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant('hello' as const),
      protocolVersions: fc.array(u32, { minLength: 1, maxLength: 4 }),
      nodeId: str,
      multipath: fc.boolean(),
      mtu: u32,
      features: fc.array(str, { maxLength: 4 }),
      sessionToken: bytes,
      pathInfo: fc.record(
        {
          interface: str,
          kind: fc.constantFrom('ethernet', 'wifi', 'cellular', 'other' as const),
          priority: u32,
          weight: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        },
        { requiredKeys: ['interface', 'kind'], noNullPrototype: true },
      ),
    },
    {
      requiredKeys: ['type', 'protocolVersions', 'nodeId', 'multipath', 'mtu', 'features'],
      noNullPrototype: true,
    },
  ),
  fc.record(
    {
      type: fc.constant('helloAck' as const),
      chosenVersion: u32,
      sessionToken: bytes,
      pathId: u32,
      mtu: u32,
      features: fc.array(str, { maxLength: 4 }),
    },
    { noNullPrototype: true },
  ),
  fc.record({ type: fc.constant('keepalive' as const), seq: u32, sentAt: num }, { noNullPrototype: true }),
  fc.record(
    { type: fc.constant('keepaliveAck' as const), seq: u32, echoSentAt: num },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      type: fc.constant('pathReport' as const),
      pathId: u32,
      rttMs: num,
      lossPermille: fc.integer({ min: 0, max: 1000 }),
      rttVarMs: num,
      deliveryRate: num,
      cwnd: u32,
      pmtu: u32,
    },
    { requiredKeys: ['type', 'pathId', 'rttMs', 'lossPermille'], noNullPrototype: true },
  ),
  fc.record(
    {
      type: fc.constant('schedule' as const),
      mode: str,
      scheduler: str,
      interactiveMaxRttMs: num,
      bulkMinBandwidthMbps: num,
      redundantCopies: u32,
    },
    { requiredKeys: ['type', 'mode', 'scheduler'], noNullPrototype: true },
  ),
  fc.record(
    { type: fc.constant('pathClosed' as const), interface: str, reason: str },
    { noNullPrototype: true },
  ),
  fc.record(
    { type: fc.constant('pathHearing' as const), interface: str, hearing: fc.boolean(), seq: u32 },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      type: fc.constantFrom('hcDefine' as const, 'hcAck' as const),
      id: u32,
      template: fc.uint8Array({ maxLength: 20 }),
    },
    { noNullPrototype: true },
  ),
  fc.record({ type: fc.constant('hcUnknown' as const), id: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('close' as const), code: u32, reason: str }, { noNullPrototype: true }),
);

describe('control message codec', () => {
  test('round trip of every message type', () => {
    fc.assert(
      fc.property(messageArb, (msg) => {
        const d = decodeControlMessage(encodeControlMessage(msg));
        assert.ok(d.ok, d.ok ? '' : d.error);
        assert.deepEqual(d.value, msg);
      }),
      { numRuns: 500 },
    );
  });

  test('hello with session token and path info: known bytes', () => {
    const msg: ControlMessage = {
      type: 'hello',
      protocolVersions: [1, 2],
      nodeId: 'abc',
      multipath: true,
      mtu: 1420,
      features: ['dscp'],
      sessionToken: Uint8Array.of(9, 8, 7),
      pathInfo: { interface: 'wlan0', kind: 'wifi' },
    };
    const body = encodeControlMessage(msg);
    assert.equal(body[0], CONTROL_WIRE_VERSION);
    assert.equal(body[1], 1);
    const d = decodeControlMessage(body);
    assert.ok(d.ok);
    assert.deepEqual(d.value, msg);
  });

  test('additive: unknown trailing fields and truncated trailing bytes are ignored', () => {
    const body = encodeControlMessage({ type: 'keepalive', seq: 5, sentAt: 12.5 });
    const extended = Uint8Array.of(...body, 200, 0, 3, 1, 2, 3, 201, 0); // unknown TLV + junk
    const d = decodeControlMessage(extended);
    assert.ok(d.ok);
    assert.deepEqual(d.value, { type: 'keepalive', seq: 5, sentAt: 12.5 });
  });

  test('hello: a path weight that is not positive is dropped (the receiver keeps its own)', () => {
    const msg: ControlMessage = {
      type: 'hello',
      protocolVersions: [1],
      nodeId: 'n',
      multipath: true,
      mtu: 1420,
      features: [],
      pathInfo: { interface: 'lte0', kind: 'cellular', priority: 1, weight: 0 },
    };
    const d = decodeControlMessage(encodeControlMessage(msg));
    assert.ok(d.ok && d.value?.type === 'hello');
    assert.deepEqual(d.value.pathInfo, { interface: 'lte0', kind: 'cellular', priority: 1 });
  });

  test('schedule: known bytes, type 7', () => {
    const body = encodeControlMessage({ type: 'schedule', mode: 'aggregate', scheduler: 'latency' });
    assert.deepEqual(
      [...body],
      [
        CONTROL_WIRE_VERSION,
        7,
        1,
        0,
        9,
        ...new TextEncoder().encode('aggregate'),
        2,
        0,
        7,
        ...new TextEncoder().encode('latency'),
      ],
    );
  });

  test('unknown path kind decodes to "other"', () => {
    const body = encodeControlMessage({
      type: 'hello',
      protocolVersions: [1],
      nodeId: 'n',
      multipath: false,
      mtu: 1280,
      features: [],
      pathInfo: { interface: 'x', kind: 'wifi' },
    });
    const text = new TextDecoder().decode(body).replace('wifi', 'sat1');
    const d = decodeControlMessage(new TextEncoder().encode(text));
    assert.ok(d.ok && d.value?.type === 'hello');
    assert.equal(d.value.pathInfo?.kind, 'other');
  });

  test('unknown message type decodes to null (skip), wrong wire version is an error', () => {
    assert.deepEqual(decodeControlMessage(Uint8Array.of(CONTROL_WIRE_VERSION, 99, 1, 0, 0)), {
      ok: true,
      value: null,
    });
    const d = decodeControlMessage(Uint8Array.of(7, 3));
    assert.equal(d.ok, false);
  });

  test('missing required field and bad field length name the field', () => {
    const d = decodeControlMessage(Uint8Array.of(CONTROL_WIRE_VERSION, 6, 1, 0, 4, 0, 0, 0, 1));
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.error, /close: missing field reason/);
    const e = decodeControlMessage(Uint8Array.of(CONTROL_WIRE_VERSION, 3, 1, 0, 2, 0, 1));
    assert.match(e.ok ? '' : e.error, /keepalive: field seq: expected 4 bytes, got 2/);
  });

  test('decoder never throws on arbitrary bytes', () => {
    const bodyish = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc
        .tuple(fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 64 }))
        .map(([t, b]) => Uint8Array.of(CONTROL_WIRE_VERSION, t, ...b)),
    );
    fc.assert(
      fc.property(bodyish, (b) => {
        const d = decodeControlMessage(b);
        assert.equal(typeof d.ok, 'boolean');
      }),
      { numRuns: 3000 },
    );
  });

  test('encoder rejects values a u32 cannot hold', () => {
    assert.throws(() => encodeControlMessage({ type: 'keepalive', seq: -1, sentAt: 0 }), RangeError);
    assert.throws(() => encodeControlMessage({ type: 'keepalive', seq: 1, sentAt: Number.NaN }), RangeError);
  });

  test('chooseVersion picks the highest common version', () => {
    assert.equal(chooseVersion([1, 2, 3], [2, 3, 4]), 3);
    assert.equal(chooseVersion([1], [2]), undefined);
  });
});

describe('ControlFrameReader', () => {
  test('reassembles messages from any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 })),
        (msgs, cuts) => {
          const stream = Uint8Array.from(msgs.flatMap((m) => [...encodeControlFrame(m)]));
          const reader = new ControlFrameReader();
          const got: ControlMessage[] = [];
          let p = 0;
          let i = 0;
          while (p < stream.length) {
            const n = cuts.length > 0 ? cuts[i++ % cuts.length]! : stream.length;
            for (const ev of reader.push(stream.subarray(p, p + n))) {
              assert.ok(ev.ok, ev.ok ? '' : ev.error);
              got.push(ev.message);
            }
            p += n;
          }
          assert.deepEqual(got, msgs);
          assert.equal(reader.bufferedBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('oversize frame is reported once, discarded without buffering, and the stream resyncs', () => {
    const reader = new ControlFrameReader({ maxFrameSize: 100 });
    const big = 1_000_000;
    const prefix = Uint8Array.of(big >>> 24, (big >>> 16) & 0xff, (big >>> 8) & 0xff, big & 0xff);
    const ev1 = reader.push(prefix);
    assert.equal(ev1.length, 1);
    assert.equal(ev1[0]!.ok, false);
    assert.equal(ev1[0]!.ok === false && ev1[0]!.kind, 'oversize');
    const junk = new Uint8Array(4096).fill(0xab);
    let delivered = 0;
    for (let sent = 0; sent < big; sent += junk.length) {
      const evs = reader.push(junk.subarray(0, Math.min(junk.length, big - sent)));
      delivered += evs.length;
      assert.ok(reader.bufferedBytes <= 4 + 100);
    }
    assert.equal(delivered, 0);
    const after = reader.push(encodeControlFrame({ type: 'close', code: 0, reason: 'bye' }));
    assert.deepEqual(after, [{ ok: true, message: { type: 'close', code: 0, reason: 'bye' } }]);
    assert.equal(reader.rejected, 1);
  });

  test('malformed and unknown frames do not stop later frames', () => {
    const reader = new ControlFrameReader();
    const stream = Uint8Array.of(
      ...frameBody(new Uint8Array(0)), // empty body: malformed
      ...frameBody(Uint8Array.of(CONTROL_WIRE_VERSION, 77)), // unknown type: skipped silently
      ...encodeControlFrame({ type: 'keepaliveAck', seq: 3, echoSentAt: 1.25 }),
    );
    const evs = reader.push(stream);
    assert.equal(evs.length, 2);
    assert.equal(evs[0]!.ok, false);
    assert.deepEqual(evs[1], { ok: true, message: { type: 'keepaliveAck', seq: 3, echoSentAt: 1.25 } });
    assert.equal(reader.skippedUnknown, 1);
  });

  test('never throws on arbitrary byte streams and stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const reader = new ControlFrameReader({ maxFrameSize: 256 });
        for (const c of chunks) {
          reader.push(c);
          assert.ok(reader.bufferedBytes <= 4 + 256);
        }
      }),
      { numRuns: 1000 },
    );
    assert.equal(new ControlFrameReader().maxFrameSize, DEFAULT_MAX_FRAME_SIZE);
  });
});
