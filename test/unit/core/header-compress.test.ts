import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  compressInPlace,
  contextOf,
  decompress,
  ipv4HeaderChecksum,
  MAX_CONTEXTS,
  TEMPLATE_LEN,
  templateOf,
} from '../../../app/core/header-compress.ts';
import { CONTEXT_IDLE_MS, DEFINE_RETRY_MS, HcReceiver, HcSender } from '../../../app/core/header-contexts.ts';
import type { Millis } from '../../../app/core/types.ts';
import { mulberry32 } from '../../../app/helper/control/fake-helper.ts';

const rng = mulberry32;

interface Seg {
  src?: number;
  dst?: number;
  sport?: number;
  dport?: number;
  ttl?: number;
  tos?: number;
  df?: boolean;
  /** TCP options bytes (length a multiple of 4). */
  options?: number[];
  urgent?: number;
  payload?: number;
  seed?: number;
}

const TS_OPTIONS = [1, 1, 8, 10, 0, 1, 2, 3, 4, 5, 6, 7];

/** An IPv4/TCP segment as Linux sends it: correct IPv4 checksum, random seq/ack/window/ID. */
function segment(s: Seg = {}): Uint8Array {
  const r = rng(s.seed ?? 1);
  const opts = s.options ?? TS_OPTIONS;
  const hl = 40 + opts.length;
  const len = hl + (s.payload ?? 100);
  const b = new Uint8Array(len);
  const put = (o: number, v: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) b[o + n - 1 - i] = (v >>> (8 * i)) & 0xff;
  };
  b[0] = 0x45;
  b[1] = s.tos ?? 0;
  put(2, len, 2);
  put(4, Math.floor(r() * 65536), 2);
  b[6] = s.df === false ? 0 : 0x40;
  b[8] = s.ttl ?? 64;
  b[9] = 6;
  put(12, s.src ?? 0xc6120001, 4);
  put(16, s.dst ?? 0xc6130001, 4);
  put(10, ipv4HeaderChecksum(b, 0), 2);
  put(20, s.sport ?? 40000, 2);
  put(22, s.dport ?? 5201, 2);
  put(24, Math.floor(r() * 2 ** 32), 4);
  put(28, Math.floor(r() * 2 ** 32), 4);
  b[32] = ((20 + opts.length) / 4) << 4;
  b[33] = 0x18;
  put(34, Math.floor(r() * 65536), 2);
  put(36, Math.floor(r() * 65536), 2); // the TCP checksum crosses untouched: any value
  put(38, s.urgent ?? 0, 2);
  b.set(opts, 40);
  for (let i = hl; i < len; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** An IPv4/UDP datagram with a correct IPv4 checksum and the given UDP checksum. */
function udpPacket(payload: number, csum: number): Uint8Array {
  const b = segment({ options: [], payload: payload - 12 + 20 }); // sized, then rewritten as UDP
  const len = 28 + payload;
  const u = b.subarray(0, len);
  u[2] = len >>> 8;
  u[3] = len & 0xff;
  u[9] = 17;
  u[24] = (len - 20) >>> 8;
  u[25] = (len - 20) & 0xff;
  u[26] = csum >>> 8;
  u[27] = csum & 0xff;
  u[10] = 0;
  u[11] = 0;
  const c = ipv4HeaderChecksum(u, 0);
  u[10] = c >>> 8;
  u[11] = c & 0xff;
  return u.slice();
}

function roundTrip(pkt: Uint8Array, ctx = 7): { out: Uint8Array; saving: number } {
  const tpl = new Uint8Array(TEMPLATE_LEN);
  const hl = templateOf(pkt, 0, pkt.length, tpl);
  assert.ok(hl > 0, 'compressible');
  const rx = new HcReceiver();
  assert.ok(rx.define(ctx, tpl));
  const buf = pkt.slice();
  const saving = compressInPlace(buf, 0, hl, ctx);
  assert.equal(contextOf(buf, saving), ctx);
  const out = new Uint8Array(2000);
  const n = decompress(buf, saving, buf.length - saving, rx.templates, out, 0, 2000);
  return { out: out.subarray(0, n), saving };
}

describe('header compression codec', () => {
  test('a Linux segment with timestamps crosses in 26 bytes of headers instead of 52', () => {
    const pkt = segment();
    const { out, saving } = roundTrip(pkt);
    assert.equal(saving, 26);
    assert.deepEqual(out, pkt);
  });

  test('rebuilds every shape bit for bit: options, urgent pointer, TOS, TTL, DF, sizes', () => {
    const shapes: Seg[] = [
      { options: [] },
      { options: [], urgent: 0x1234 },
      { options: TS_OPTIONS, urgent: 1 },
      { options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7], payload: 0 }, // SYN
      { options: [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, ...TS_OPTIONS] }, // SACK block first
      { options: [1, 1, 8, 10], payload: 0 }, // a truncated prefix only
      { tos: 0xb8, ttl: 1, df: false, payload: 1368 },
      { payload: 0 },
    ];
    for (const [i, s] of shapes.entries()) {
      for (let seed = 1; seed <= 20; seed++) {
        const pkt = segment({ ...s, seed: seed * 100 + i });
        assert.deepEqual(roundTrip(pkt, seed).out, pkt, `shape ${i} seed ${seed}`);
      }
    }
  });

  test('UDP: 28 bytes of headers cross as 6, rebuilt bit for bit (also a zero checksum, no payload)', () => {
    for (const [payload, csum] of [
      [1200, 0xbeef],
      [0, 0x1234],
      [30, 0],
    ] as const) {
      const pkt = udpPacket(payload, csum);
      const { out, saving } = roundTrip(pkt, 300);
      assert.equal(saving, 22);
      assert.deepEqual(out, pkt);
    }
  });

  test('what it cannot rebuild exactly stays whole', () => {
    const tpl = new Uint8Array(TEMPLATE_LEN);
    const cases: [string, (b: Uint8Array) => void][] = [
      ['IPv4 options', (b) => (b[0] = 0x46)],
      ['ICMP', (b) => (b[9] = 1)],
      ['more fragments', (b) => (b[6] = 0x20)],
      ['fragment offset', (b) => (b[7] = 1)],
      ['bad IPv4 checksum', (b) => (b[10] = (b[10] as number) ^ 1)],
      ['length mismatch', (b) => (b[3] = (b[3] as number) + 1)],
      ['TCP offset < 5', (b) => (b[32] = 0x40)],
      ['TCP offset past the end', (b) => (b[32] = 0xf0)],
    ];
    for (const [name, spoil] of cases) {
      const pkt = segment({ payload: 0, options: [] });
      spoil(pkt);
      if (name !== 'bad IPv4 checksum' && name !== 'length mismatch') {
        pkt[10] = 0;
        pkt[11] = 0;
        const c = ipv4HeaderChecksum(pkt, 0);
        pkt[10] = c >>> 8;
        pkt[11] = c & 0xff;
      }
      assert.equal(templateOf(pkt, 0, pkt.length, tpl), -1, name);
    }
    assert.equal(templateOf(new Uint8Array(39), 0, 39, tpl), -1, 'too short');
    const udp = udpPacket(100, 1);
    udp[25] = (udp[25] as number) + 1; // UDP length says one byte more than there is
    assert.equal(templateOf(udp, 0, udp.length, tpl), -1, 'UDP length mismatch');
  });

  test('a malformed or oversized compressed packet is refused, never read past its end', () => {
    const rx = new HcReceiver();
    const pkt = segment({ payload: 1000 });
    const tpl = new Uint8Array(TEMPLATE_LEN);
    const hl = templateOf(pkt, 0, pkt.length, tpl);
    rx.define(3, tpl);
    const saving = compressInPlace(pkt, 0, hl, 3);
    const out = new Uint8Array(2000);
    const n = pkt.length - saving;
    assert.equal(decompress(pkt, saving, 17, rx.templates, out, 0, 2000), -1, 'shorter than the fixed part');
    assert.equal(decompress(pkt, saving, 25, rx.templates, out, 0, 2000), -1, 'cut inside the options');
    assert.equal(decompress(pkt, saving, n, rx.templates, out, 0, 1000), -1, 'over the slot');
    const bad = pkt.slice();
    bad[saving + 12] = 0x30; // data offset 3 words
    assert.equal(decompress(bad, saving, n, rx.templates, out, 0, 2000), -1, 'TCP offset < 5');
    const r = rng(9);
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(Math.floor(r() * 80));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(r() * 256);
      const got = decompress(junk, 0, junk.length, rx.templates, out, 0, 2000);
      assert.ok(got === -1 || (got >= 40 && got <= junk.length + 30), `junk ${i}`);
    }
  });

  test('fuzz (SECURITY R1): any bytes under any stored context are refused or rebuilt within bounds', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1600 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 300 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
          {
            maxLength: 8,
          },
        ),
        fc.integer({ min: 0, max: 1600 }),
        (src, defs, cap) => {
          const rx = new HcReceiver();
          for (const [id, tpl] of defs) {
            tpl[3] = id % 2 === 0 ? 6 : 17; // a usable protocol, so most defines stick
            tpl[1] = (tpl[1] as number) & 0xc0;
            rx.define(id, tpl);
          }
          const dst = new Uint8Array(cap + 64).fill(0xee);
          const n = decompress(src, 0, src.length, rx.templates, dst, 32, cap);
          assert.ok(n === -1 || (n >= 28 && n <= cap), `length ${n} with cap ${cap}`);
          for (let i = 0; i < 32; i++) assert.equal(dst[i], 0xee, 'wrote before the slot');
          for (let i = 32 + Math.max(n, 0); i < dst.length; i++)
            assert.equal(dst[i], 0xee, 'wrote past the packet');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('the receiver refuses a context it could not rebuild from', () => {
    const rx = new HcReceiver();
    const tpl = new Uint8Array(TEMPLATE_LEN);
    templateOf(segment(), 0, segment().length, tpl);
    assert.equal(rx.define(MAX_CONTEXTS, tpl), false);
    assert.equal(rx.define(-1, tpl), false);
    const icmp = tpl.slice();
    icmp[3] = 1;
    assert.equal(rx.define(0, icmp), false);
    assert.equal(rx.define(0, tpl.subarray(0, 15)), false);
    assert.equal(rx.define(0, tpl), true);
    assert.ok(rx.has(0));
    assert.equal(rx.has(5000), false, 'past the table');
    assert.equal(rx.define(5000, tpl), true, 'the table grows');
    assert.ok(rx.has(5000) && rx.has(0));
    assert.deepEqual(rx.templates.subarray(5000 * TEMPLATE_LEN, 5001 * TEMPLATE_LEN), tpl);
    assert.deepEqual(rx.templates.subarray(0, TEMPLATE_LEN), tpl, 'kept through the growth');
    rx.reset();
    assert.equal(rx.has(0), false);
    assert.equal(rx.size, 0);
  });
});

describe('HcSender', () => {
  const ms = (n: number) => n as Millis;

  test('a flow crosses whole until its context is acknowledged, compressed after', () => {
    const tx = new HcSender();
    const pkt = segment();
    assert.equal(tx.compress(pkt.slice(), 0, pkt.length, 11, ms(0)), 0);
    assert.deepEqual(tx.toDefine, [], 'a flow of one packet is not worth a definition');
    assert.equal(tx.compress(pkt.slice(), 0, pkt.length, 11, ms(0)), 0);
    assert.deepEqual(tx.toDefine, [0]);
    const tpl = tx.templateOf(0) as Uint8Array;
    tx.toDefine.length = 0;
    assert.equal(tx.compress(pkt.slice(), 0, pkt.length, 11, ms(10)), 0, 'still pending');
    assert.deepEqual(tx.toDefine, [], 'not defined again before the retry time');
    const wrong = tpl.slice();
    wrong[15] = (wrong[15] as number) ^ 1;
    tx.onAck(0, wrong);
    assert.equal(tx.compress(pkt.slice(), 0, pkt.length, 11, ms(20)), 0, 'an ack of another template');
    tx.onAck(0, tpl);
    const buf = pkt.slice();
    const saving = tx.compress(buf, 0, buf.length, 11, ms(30));
    assert.equal(saving, 26);
    const rx = new HcReceiver();
    rx.define(0, tpl);
    const out = new Uint8Array(2000);
    const n = decompress(buf, saving, buf.length - saving, rx.templates, out, 0, 2000);
    assert.deepEqual(out.subarray(0, n), pkt);
  });

  test('an unanswered definition is sent again after DEFINE_RETRY_MS', () => {
    const tx = new HcSender();
    const pkt = segment();
    tx.compress(pkt.slice(), 0, pkt.length, 1, ms(0));
    tx.compress(pkt.slice(), 0, pkt.length, 1, ms(0));
    tx.toDefine.length = 0;
    tx.compress(pkt.slice(), 0, pkt.length, 1, ms(DEFINE_RETRY_MS - 1));
    assert.deepEqual(tx.toDefine, []);
    tx.compress(pkt.slice(), 0, pkt.length, 1, ms(DEFINE_RETRY_MS));
    assert.deepEqual(tx.toDefine, [0]);
  });

  test('flows whose keys collide, and a flow whose TTL changed, get contexts of their own', () => {
    const tx = new HcSender();
    const a = segment({ sport: 1000 });
    const b = segment({ sport: 2000 });
    const a2 = segment({ sport: 1000, ttl: 63 });
    for (const p of [a, b, a2]) for (let i = 0; i < 2; i++) tx.compress(p.slice(), 0, p.length, 5, ms(0));
    assert.deepEqual(tx.toDefine, [0, 1, 2]);
    for (const id of [0, 1, 2]) tx.onAck(id, tx.templateOf(id) as Uint8Array);
    const rx = new HcReceiver();
    for (const id of [0, 1, 2]) rx.define(id, tx.templateOf(id) as Uint8Array);
    for (const p of [b, a2, a]) {
      const buf = p.slice();
      const saving = tx.compress(buf, 0, buf.length, 5, ms(1));
      assert.equal(saving, 26);
      const out = new Uint8Array(2000);
      const n = decompress(buf, saving, buf.length - saving, rx.templates, out, 0, 2000);
      assert.deepEqual(out.subarray(0, n), p);
    }
  });

  test('the peer lost a context: defined again, whole until acknowledged', () => {
    const tx = new HcSender();
    const pkt = segment();
    tx.compress(pkt.slice(), 0, pkt.length, 1, ms(0));
    tx.compress(pkt.slice(), 0, pkt.length, 1, ms(0));
    tx.onAck(0, tx.templateOf(0) as Uint8Array);
    tx.toDefine.length = 0;
    tx.onUnknown(0, ms(5));
    assert.deepEqual(tx.toDefine, [0]);
    assert.equal(tx.compress(pkt.slice(), 0, pkt.length, 1, ms(6)), 0);
    tx.onUnknown(0, ms(7));
    assert.deepEqual(tx.toDefine, [0], 'one definition per loss, not one per packet');
  });

  test('IDs are reused only from flows idle for CONTEXT_IDLE_MS; with none, flows cross whole', () => {
    const tx = new HcSender(2);
    const p = (port: number) => segment({ sport: port });
    for (let i = 0; i < 2; i++) {
      tx.compress(p(1).slice(), 0, p(1).length, 1, ms(0));
      tx.compress(p(2).slice(), 0, p(2).length, 2, ms(0));
    }
    for (const id of [0, 1]) tx.onAck(id, tx.templateOf(id) as Uint8Array);
    tx.toDefine.length = 0;
    const t0 = CONTEXT_IDLE_MS - 1;
    tx.compress(p(3).slice(), 0, p(3).length, 3, ms(t0));
    assert.deepEqual(tx.toDefine, [], 'table full of live flows');
    tx.compress(p(2).slice(), 0, p(2).length, 2, ms(t0 + 1));
    tx.compress(p(3).slice(), 0, p(3).length, 3, ms(t0 + 999));
    assert.deepEqual(tx.toDefine, [], 'no rescan within a second');
    tx.compress(p(3).slice(), 0, p(3).length, 3, ms(t0 + 1000));
    tx.compress(p(3).slice(), 0, p(3).length, 3, ms(t0 + 1000));
    assert.deepEqual(tx.toDefine, [0], 'flow 1 idle for 60 s gave up ID 0');
    assert.equal(tx.size, 2);
    tx.toDefine.length = 0;
    tx.compress(p(1).slice(), 0, p(1).length, 1, ms(t0 + 1001));
    tx.compress(p(1).slice(), 0, p(1).length, 1, ms(t0 + 1001));
    assert.deepEqual(tx.toDefine, [], 'the evicted flow waits for room');
    tx.reset();
    assert.equal(tx.size, 0);
    tx.compress(p(1).slice(), 0, p(1).length, 1, ms(0));
    tx.compress(p(1).slice(), 0, p(1).length, 1, ms(0));
    assert.deepEqual(tx.toDefine, [0]);
  });

  test('a packet it cannot compress is left untouched', () => {
    const tx = new HcSender();
    const pkt = segment();
    pkt[9] = 1;
    const buf = pkt.slice();
    assert.equal(tx.compress(buf, 0, buf.length, 1, ms(0)), 0);
    assert.deepEqual(buf, pkt);
    assert.deepEqual(tx.toDefine, []);
  });
});
