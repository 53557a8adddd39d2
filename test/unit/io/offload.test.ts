// TUN offload packet work (native/src/offload.c) against a checksum and header model written here:
// cutting a TSO super-packet into segments, merging segments back (GRO), completing partial
// checksums. The device side (IFF_VNET_HDR reads and writes) is exercised by every lab test that
// moves TCP through the tunnel (test/integration/tunnel.test.ts checks the offload counters).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { native } from '../../../native/index.ts';

const skip = native ? false : 'native addon unavailable';
const FIN = 0x01;
const PSH = 0x08;
const ACK = 0x10;
const CWR = 0x80;
const SLOT = 2048;

function sum16(b: Uint8Array, start: number, end: number, init = 0): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += ((b[i] as number) << 8) | (b[i + 1] as number);
  if ((end - start) & 1) s += (b[end - 1] as number) << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

function pseudo(p: Uint8Array, l4len: number): number {
  return sum16(p, 12, 20) + 6 + l4len;
}

/** True when the IPv4 header and the TCP checksum of the packet at p[0..] verify. */
function checksumsValid(p: Uint8Array): boolean {
  const total = ((p[2] as number) << 8) | (p[3] as number);
  return sum16(p, 0, 20) === 0xffff && sum16(p, 20, total, pseudo(p, total - 20)) === 0xffff;
}

interface Seg {
  seq: number;
  ack?: number;
  flags: number;
  options?: Uint8Array;
  payload: Uint8Array;
  id?: number;
  window?: number;
}

/** An IPv4 TCP packet 198.18.0.2:40000 -> 198.18.0.1:5201 with valid checksums. */
function tcp(s: Seg): Uint8Array {
  const opts = s.options ?? new Uint8Array(0);
  const thl = 20 + opts.length;
  const total = 20 + thl + s.payload.length;
  const p = new Uint8Array(total);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, total);
  v.setUint16(4, s.id ?? 7);
  v.setUint16(6, 0x4000); // DF
  p[8] = 64;
  p[9] = 6;
  p.set([198, 18, 0, 2, 198, 18, 0, 1], 12);
  v.setUint16(20, 40000);
  v.setUint16(22, 5201);
  v.setUint32(24, s.seq >>> 0);
  v.setUint32(28, s.ack ?? 1000);
  p[32] = (thl / 4) << 4;
  p[33] = s.flags;
  v.setUint16(34, s.window ?? 500);
  p.set(opts, 40);
  p.set(s.payload, 20 + thl);
  v.setUint16(10, ~sum16(p, 0, 20) & 0xffff);
  v.setUint16(36, ~sum16(p, 20, total, pseudo(p, total - 20)) & 0xffff);
  return p;
}

const u16 = (p: Uint8Array, o: number) => ((p[o] as number) << 8) | (p[o + 1] as number);
const u32 = (p: Uint8Array, o: number) => new DataView(p.buffer, p.byteOffset).getUint32(o);

function split(pkt: Uint8Array, mss: number): Uint8Array[] {
  const o = native?.offloadForTest;
  assert.ok(o);
  const slab = new Uint8Array(SLOT * 128);
  const n = o.tsoSplit(pkt, mss, slab, SLOT);
  assert.ok(n > 0, `tsoSplit returned ${n}`);
  return Array.from({ length: n }, (_, i) => slab.subarray(i * SLOT, i * SLOT + u16(slab, i * SLOT + 2)));
}

function batch(pkts: Uint8Array[]): { slab: Uint8Array; offsets: Uint32Array; lens: Uint32Array } {
  const slab = new Uint8Array(SLOT * pkts.length);
  const offsets = new Uint32Array(pkts.length);
  const lens = new Uint32Array(pkts.length);
  pkts.forEach((p, i) => {
    slab.set(p, i * SLOT);
    offsets[i] = i * SLOT;
    lens[i] = p.length;
  });
  return { slab, offsets, lens };
}

const arbSuper = fc.record({
  payloadLen: fc.integer({ min: 1, max: 64_000 }),
  mss: fc.integer({ min: 536, max: 1460 }),
  optWords: fc.integer({ min: 0, max: 10 }),
  fin: fc.boolean(),
  psh: fc.boolean(),
  cwr: fc.boolean(),
  seq: fc.integer({ min: 0, max: 0xffffffff }),
  id: fc.integer({ min: 0, max: 0xffff }),
  seed: fc.integer({ min: 0, max: 255 }),
});

describe('TSO segmentation', { skip }, () => {
  test('segments carry the super-packet exactly, each with its own headers and valid checksums', () => {
    fc.assert(
      fc.property(arbSuper, (a) => {
        const payload = Uint8Array.from({ length: a.payloadLen }, (_, i) => (i * 31 + a.seed) & 255);
        const options = Uint8Array.from({ length: a.optWords * 4 }, (_, i) => (i * 7 + a.seed) & 255);
        const flags = ACK | (a.fin ? FIN : 0) | (a.psh ? PSH : 0) | (a.cwr ? CWR : 0);
        const segs = split(tcp({ seq: a.seq, flags, options, payload, id: a.id }), a.mss);
        assert.equal(segs.length, Math.ceil(a.payloadLen / a.mss));
        const hdr = 40 + options.length;
        let off = 0;
        segs.forEach((s, i) => {
          const last = i === segs.length - 1;
          assert.ok(checksumsValid(s), `segment ${i} checksums`);
          assert.equal(u16(s, 4), (a.id + i) & 0xffff, 'IP id');
          assert.equal(u32(s, 24), (a.seq + off) >>> 0, 'sequence number');
          const want = (last ? flags : flags & ~(FIN | PSH)) & (i === 0 ? 0xff : ~CWR);
          assert.equal(s[33], want, `flags of segment ${i}`);
          assert.deepEqual(s.subarray(40, hdr), options);
          const body = s.subarray(hdr);
          assert.equal(body.length, last ? a.payloadLen - off : a.mss);
          assert.deepEqual(body, payload.subarray(off, off + body.length));
          off += body.length;
        });
      }),
      { numRuns: 60 },
    );
  });

  test('packets that are not IPv4 TCP, or a zero segment size, are refused', () => {
    const o = native?.offloadForTest;
    assert.ok(o);
    const slab = new Uint8Array(SLOT * 4);
    const p = tcp({ seq: 1, flags: ACK, payload: new Uint8Array(3000) });
    assert.equal(o.tsoSplit(p, 0, slab, SLOT), -1);
    const udp = Uint8Array.from(p);
    udp[9] = 17;
    assert.equal(o.tsoSplit(udp, 1400, slab, SLOT), -1);
    const v6 = Uint8Array.from(p);
    v6[0] = 0x60;
    assert.equal(o.tsoSplit(v6, 1400, slab, SLOT), -1);
    assert.equal(o.tsoSplit(p.subarray(0, 30), 1400, slab, SLOT), -1);
  });
});

describe('GRO merge', { skip }, () => {
  test('the segments of a super-packet merge back into it, with a header the kernel can finish', () => {
    fc.assert(
      fc.property(arbSuper, (a) => {
        const payload = Uint8Array.from({ length: a.payloadLen }, (_, i) => (i * 13 + a.seed) & 255);
        const options = Uint8Array.from({ length: a.optWords * 4 }, (_, i) => (i + a.seed) & 255);
        const flags = ACK | (a.psh ? PSH : 0);
        const orig = tcp({ seq: a.seq, flags, options, payload, id: a.id });
        const segs = split(orig, a.mss);
        const b = batch(segs);
        const o = native?.offloadForTest;
        assert.ok(o);
        // At most 64 segments go into one write (GRO_MAX); a longer run continues in the next.
        const n = Math.min(segs.length, 64);
        assert.equal(o.groRun(b.slab, b.offsets, b.lens, n), n);
        if (n < 2 || n < segs.length) return;
        const out = new Uint8Array(65_535);
        const [len, vflags, gsoType, hdrLen, gsoSize, csumStart, csumOffset] = o.groMerge(
          b.slab,
          b.offsets,
          b.lens,
          segs.length,
          out,
        );
        assert.deepEqual(
          [vflags, gsoType, hdrLen, gsoSize, csumStart, csumOffset],
          [1, 1, 40 + options.length, a.mss, 20, 16],
        );
        const m = out.subarray(0, len);
        assert.equal(len, orig.length);
        assert.equal(sum16(m, 0, 20), 0xffff, 'IP header checksum');
        // Everything but the IP id and checksum and the TCP checksum equals the original.
        for (const [from, to] of [
          [0, 4],
          [6, 10],
          [12, 36],
          [38, len],
        ] as const)
          assert.deepEqual(m.subarray(from, to), orig.subarray(from, to));
        assert.equal(u16(m, 36), sum16(m, 0, 0, pseudo(m, len - 20)), 'TCP field: the pseudo-header sum');
        // What the kernel does with NEEDS_CSUM: finishing it yields the right TCP checksum.
        assert.equal(o.csumComplete(m, csumStart, csumOffset), 0);
        assert.ok(checksumsValid(m));
      }),
      { numRuns: 60 },
    );
  });

  test('a run stops where the receiving TCP would see a difference', () => {
    const o = native?.offloadForTest;
    assert.ok(o);
    const mss = 1000;
    const seg = (i: number, over: Partial<Seg> = {}) =>
      tcp({ seq: 5000 + i * mss, flags: ACK, payload: new Uint8Array(mss).fill(i), ...over });
    const run = (pkts: Uint8Array[]) => {
      const b = batch(pkts);
      return o.groRun(b.slab, b.offsets, b.lens, pkts.length);
    };
    assert.equal(run([seg(0), seg(1), seg(2), seg(3)]), 4);
    assert.equal(run([seg(0), seg(1), seg(3)]), 2, 'sequence gap');
    assert.equal(run([seg(0), seg(1), seg(2, { ack: 2000 })]), 2, 'another ack');
    assert.equal(run([seg(0), seg(1, { window: 9 })]), 1, 'another window');
    assert.equal(run([seg(0), seg(1, { flags: ACK | PSH }), seg(2)]), 2, 'PSH ends a run, inclusive');
    assert.equal(run([seg(0, { flags: ACK | PSH }), seg(1)]), 1, 'nothing follows PSH');
    assert.equal(run([seg(0), seg(1, { flags: ACK | FIN })]), 1, 'FIN is never merged');
    const ts = (v: number) => Uint8Array.from([1, 1, 8, 10, 0, 0, 0, v, 0, 0, 0, 1]);
    assert.equal(run([seg(0, { options: ts(1) }), seg(1, { options: ts(2) })]), 1, 'another timestamp');
    assert.equal(run([seg(0, { options: ts(1) }), seg(1, { options: ts(1) })]), 2);
    const short = tcp({ seq: 5000 + mss, flags: ACK, payload: new Uint8Array(10) });
    assert.equal(run([seg(0), short, seg(2)]), 2, 'a short segment ends a run, inclusive');
    const long = tcp({ seq: 5000 + mss, flags: ACK, payload: new Uint8Array(mss + 1) });
    assert.equal(run([seg(0), long]), 1, 'longer than the first');
    const udp = Uint8Array.from(seg(1));
    udp[9] = 17;
    assert.equal(run([seg(0), udp]), 1);
    assert.equal(run([tcp({ seq: 1, flags: ACK, payload: new Uint8Array(0) }), seg(1)]), 1, 'a pure ACK');
  });
});

describe('partial checksum completion', { skip }, () => {
  test('fills in the checksum over the pseudo-header sum; UDP never gets 0', () => {
    const o = native?.offloadForTest;
    assert.ok(o);
    const p = tcp({ seq: 9, flags: ACK | PSH, payload: Uint8Array.from([1, 2, 3, 4, 5]) });
    const partial = Uint8Array.from(p);
    new DataView(partial.buffer).setUint16(36, sum16(partial, 0, 0, pseudo(partial, partial.length - 20)));
    assert.equal(o.csumComplete(partial, 20, 16), 0);
    assert.deepEqual(partial, p);
    assert.equal(o.csumComplete(partial, 20, partial.length), -1);
    // A UDP datagram whose checksum comes out 0 carries 0xffff (0 would mean "none").
    const udp = new Uint8Array(12);
    new DataView(udp.buffer).setUint16(4, 0xffff); // the sum of the rest is then 0xffff -> ~ = 0
    assert.equal(o.csumComplete(udp, 0, 6), 0);
    assert.equal(u16(udp, 6), 0xffff);
  });
});
