import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type Cidr,
  cidrContains,
  formatCidr,
  formatIpv6,
  networkOf,
  parseCidr,
  parseIp,
  parseIpv6,
} from '../../../app/core/cidr.ts';
import { RouteTable } from '../../../app/core/route-table.ts';
import { buildPacket, v4 } from './packet-builder.ts';

function cidr(s: string): Cidr {
  const r = parseCidr(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('parseCidr', () => {
  test('parses IPv4 and IPv6 prefixes', () => {
    assert.deepEqual(cidr('198.19.0.0/16'), { family: 4, addr: v4(198, 19, 0, 0), prefixLen: 16 });
    assert.deepEqual(cidr('0.0.0.0/0'), { family: 4, addr: 0, prefixLen: 0 });
    assert.deepEqual(cidr('10.1.2.3'), { family: 4, addr: v4(10, 1, 2, 3), prefixLen: 32 });
    const six = cidr('fd00:1::/32');
    assert.equal(six.family, 6);
    assert.equal(formatCidr(six), 'fd00:1::/32');
    assert.equal(formatCidr(cidr('::ffff:198.19.0.1/128')), '::ffff:c613:1/128');
  });

  test('clear errors', () => {
    const cases: Array<[string, RegExp]> = [
      ['198.19.0.1/16', /host bits set \(did you mean 198\.19\.0\.0\/16\?\)/],
      ['198.19.0.0/33', /prefix length "33" must be a number 0-32/],
      ['198.19.0/16', /expected four dot-separated numbers/],
      ['198.19.0.256/32', /256 is larger than 255/],
      ['010.0.0.0/8', /leading zero/],
      ['fd00::1::2/64', /"::" appears more than once/],
      ['fe80::1%eth0', /zone IDs/],
      ['1:2:3:4:5:6:7/64', /expected 8 groups, got 7/],
      ['', /empty prefix/],
      ['198.19.0.0/', /prefix length "" must be a number/],
    ];
    for (const [text, re] of cases) {
      const r = parseCidr(text);
      assert.equal(r.ok, false, text);
      assert.match(r.ok ? '' : r.error, re, text);
    }
    assert.equal(parseCidr('198.19.0.2/24', { allowHostBits: true }).ok, true);
    assert.equal(parseCidr('10.0.0.1', { allowBareAddress: false }).ok, false);
  });

  test('IPv6 text round trip agrees with fast-check ipV6()', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const a = parseIpv6(text);
        assert.ok(a.ok, `${text}: ${a.ok ? '' : a.error}`);
        const again = parseIpv6(formatIpv6(a.value));
        assert.ok(again.ok);
        assert.deepEqual(again.value, a.value);
      }),
      { numRuns: 1000 },
    );
  });

  test('IPv4 text from fast-check ipV4() parses', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        assert.ok(parseIp(text).ok, text);
      }),
    );
  });

  test('never throws on arbitrary strings', () => {
    const cidrish = fc.oneof(fc.string({ maxLength: 50 }), fc.stringMatching(/^[0-9a-fA-F:./%]{0,45}$/));
    fc.assert(
      fc.property(cidrish, fc.boolean(), (s, allowHostBits) => {
        const r = parseCidr(s, { allowHostBits });
        if (r.ok) {
          assert.ok(r.value.prefixLen >= 0 && r.value.prefixLen <= (r.value.family === 4 ? 32 : 128));
          assert.deepEqual(parseCidr(formatCidr(r.value), { allowHostBits }), r);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('cidrContains', () => {
    assert.ok(cidrContains(cidr('198.19.0.0/16'), cidr('198.19.4.0/24')));
    assert.ok(!cidrContains(cidr('198.19.4.0/24'), cidr('198.19.0.0/16')));
    assert.ok(!cidrContains(cidr('198.19.0.0/16'), cidr('fd00::/8')));
  });
});

describe('RouteTable', () => {
  test('longest prefix wins; remove falls back to the shorter one', () => {
    const t = new RouteTable<string>();
    t.add(cidr('0.0.0.0/0'), 'default');
    t.add(cidr('198.19.0.0/16'), 'gw');
    t.add(cidr('198.19.0.1/32'), 'peer1');
    assert.equal(t.lookup('198.19.0.1'), 'peer1');
    assert.equal(t.lookup('198.19.9.9'), 'gw');
    assert.equal(t.lookup('8.8.8.8'), 'default');
    assert.equal(t.size, 3);
    assert.ok(t.remove(cidr('198.19.0.1/32')));
    assert.ok(!t.remove(cidr('198.19.0.1/32')));
    assert.equal(t.lookup('198.19.0.1'), 'gw');
    t.add(cidr('198.19.0.0/16'), 'gw2');
    assert.equal(t.size, 2, 'add replaces');
    assert.equal(t.lookup('198.19.0.1'), 'gw2');
  });

  test('lookups straight from packet buffers (IPv4 and IPv6, destination and source)', () => {
    const t = new RouteTable<string>();
    t.add(cidr('198.19.0.1/32'), 'A');
    t.add(cidr('198.19.0.2/32'), 'B');
    t.add(cidr('fd00::/64'), 'six');
    const p4 = buildPacket({ src: v4(198, 19, 0, 2), dst: v4(198, 19, 0, 1) });
    assert.equal(t.lookupDestination(p4, p4.length), 'A');
    assert.equal(t.lookupSource(p4, p4.length), 'B');
    const p6 = buildPacket({ version: 6 });
    assert.equal(t.lookupDestination(p6, p6.length), 'six');
    // Offset into a larger buffer (headroom before the packet).
    const framed = new Uint8Array(10 + p4.length);
    framed.set(p4, 10);
    assert.equal(t.lookupDestination(framed, p4.length, 10), 'A');
    assert.equal(t.lookupDestination(Uint8Array.of(0x55, 0, 0), 3), undefined);
  });

  test('IPv6 remove prunes and entries() lists every route', () => {
    const t = new RouteTable<number>();
    const prefixes = ['fd00::/8', 'fd00:1::/32', '2001:db8::1/128', '10.0.0.0/8', '0.0.0.0/0', '::/0'];
    prefixes.forEach((p, i) => {
      t.add(cidr(p), i);
    });
    assert.deepEqual(
      t
        .entries()
        .map(([c, v]) => `${formatCidr(c)}=${v}`)
        .sort(),
      prefixes.map((p, i) => `${p}=${i}`).sort(),
    );
    assert.equal(t.lookup('fd00:1::5'), 1);
    assert.equal(t.lookup('fd00:2::5'), 0);
    assert.equal(t.lookup('2001:db9::'), 5);
    assert.ok(t.remove(cidr('fd00:1::/32')));
    assert.equal(t.lookup('fd00:1::5'), 0);
    assert.equal(t.getExact(cidr('fd00::/8')), 0);
    t.clear();
    assert.equal(t.size, 0);
    assert.equal(t.lookup('10.1.1.1'), undefined);
  });

  // Reference: scan every route, keep the longest containing prefix.
  function naive(routes: Map<string, { c: Cidr; v: number }>, addr: Cidr): number | undefined {
    let best: { c: Cidr; v: number } | undefined;
    for (const r of routes.values()) {
      if (cidrContains(r.c, addr) && (!best || r.c.prefixLen > best.c.prefixLen)) best = r;
    }
    return best?.v;
  }

  // Addresses clustered around a few bases so prefixes actually overlap and match.
  const base4 = fc.constantFrom(v4(198, 19, 0, 0), v4(10, 0, 0, 0), v4(255, 255, 255, 0), 0);
  const addr4 = fc.oneof(
    fc
      .tuple(base4, fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 7, 8, 16))
      .map(([b, small, shift]) => (b | (small << shift)) >>> 0),
    fc.integer({ min: 0, max: 0xffffffff }),
  );
  const prefix4 = fc
    .tuple(addr4, fc.integer({ min: 0, max: 32 }))
    .map(([a, l]): Cidr => networkOf({ family: 4, addr: a, prefixLen: l }));
  const addr6 = fc
    .tuple(
      fc.constantFrom(0x00, 0xfd, 0x20),
      fc.uint8Array({ minLength: 15, maxLength: 15 }),
      fc.integer({ min: 1, max: 15 }),
    )
    .map(([first, rest, zeroFrom]) => {
      const a = Uint8Array.of(first, ...rest);
      a.fill(0, zeroFrom + 1); // mostly-zero tails make overlaps likely
      for (let i = 1; i <= zeroFrom; i++) a[i] = a[i]! & 3;
      return a;
    });
  const prefix6 = fc
    .tuple(addr6, fc.integer({ min: 0, max: 128 }))
    .map(([a, l]): Cidr => networkOf({ family: 6, addr: a, prefixLen: l }));

  test('agrees with a naive reference on random add/remove/lookup sequences', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), c: fc.oneof(prefix4, prefix6), v: fc.nat(1000) }),
      fc.record({ kind: fc.constant('remove' as const), c: fc.oneof(prefix4, prefix6) }),
      fc.record({ kind: fc.constant('lookup4' as const), a: addr4 }),
      fc.record({ kind: fc.constant('lookup6' as const), a: addr6 }),
    );
    let hits = 0;
    let misses = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 100 }), (ops) => {
        const t = new RouteTable<number>();
        const ref = new Map<string, { c: Cidr; v: number }>();
        for (const o of ops) {
          if (o.kind === 'add') {
            t.add(o.c, o.v);
            ref.set(formatCidr(o.c), { c: o.c, v: o.v });
          } else if (o.kind === 'remove') {
            assert.equal(t.remove(o.c), ref.delete(formatCidr(o.c)));
          } else if (o.kind === 'lookup4') {
            const buf = new Uint8Array(4);
            new DataView(buf.buffer).setUint32(0, o.a);
            const want = naive(ref, { family: 4, addr: o.a, prefixLen: 32 });
            assert.equal(t.lookupV4At(buf, 0), want);
            if (want === undefined) misses++;
            else hits++;
          } else {
            const want = naive(ref, { family: 6, addr: o.a, prefixLen: 128 });
            assert.equal(t.lookupV6At(o.a, 0), want);
            if (want === undefined) misses++;
            else hits++;
          }
          assert.equal(t.size, ref.size);
        }
      }),
      { numRuns: 500 },
    );
    // The generators must exercise both outcomes, or the agreement above proves little.
    assert.ok(hits > 100 && misses > 100, `hits=${hits} misses=${misses}`);
  });
});
