// Rate-limit pieces of the listener: token buckets, the bounded per-address map, address keys,
// the fair Retry queue, and the Initial packet-protection check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressLimiter, addressKey, TokenBucket } from '../../../app/helper/quic/address-limiter.ts';
import { QuicConn } from '../../../app/helper/quic/index.ts';
import { isAuthenticInitial as initialIsAuthentic } from '../../../app/helper/quic/initial-auth.ts';
import { RetryQueue } from '../../../app/helper/quic/listener-parts.ts';
import { identities, SERVER_ADDR } from './harness.ts';

describe('TokenBucket', () => {
  test('starts full, refills at its rate, never past its burst', () => {
    const b = new TokenBucket({ ratePerSec: 10, burst: 3 }, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
    assert.equal(b.take(50), false, 'half a token after 50 ms');
    assert.equal(b.take(100), true, 'one token after 100 ms');
    let n = 0;
    for (let i = 0; i < 10; i++) if (b.take(100_000)) n++;
    assert.equal(n, 3, 'a long pause refills only the burst');
  });
});

describe('AddressLimiter', () => {
  test('buckets are per IP (not port), and the map is an LRU of bounded size', () => {
    const l = new AddressLimiter({
      retryPerAddress: { ratePerSec: 1, burst: 2 },
      acceptPerAddress: { ratePerSec: 1, burst: 1 },
      acceptGlobal: { ratePerSec: 1, burst: 100 },
      maxAddresses: 50,
    });
    assert.equal(l.allowRetry('10.0.0.1', 0), true);
    assert.equal(l.allowRetry('10.0.0.1', 0), true);
    assert.equal(l.allowRetry('10.0.0.1', 0), false, 'burst spent');
    assert.equal(l.allowRetry('10.0.0.2', 0), true, 'another address has its own bucket');
    assert.equal(l.allowAccept('10.0.0.1', 0), 'ok');
    assert.equal(l.allowAccept('10.0.0.1', 0), 'address');
    for (let i = 0; i < 10_000; i++) {
      l.allowRetry(`172.16.${i >> 8}.${i & 255}`, 0);
      if (i % 10 === 0) l.allowRetry('10.0.0.1', 0); // kept recently used: never evicted
      assert.ok(l.size <= 50);
    }
    assert.equal(l.size, 50);
    assert.equal(l.allowRetry('10.0.0.1', 0), false, 'a recently used address keeps its spent bucket');
    assert.equal(l.allowRetry('10.0.0.2', 0), true, 'an evicted address comes back with a full bucket');
  });

  test('the global accept bucket is shared by all addresses', () => {
    const l = new AddressLimiter({ acceptGlobal: { ratePerSec: 1, burst: 2 } });
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((h) => l.allowAccept(`10.0.1.${h.charCodeAt(0)}`, 0)),
      ['ok', 'ok', 'global', 'global'],
    );
    assert.equal(l.allowAccept('10.0.2.1', 1000), 'ok', 'refilled after a second');
  });

  test('address keys: IPv4 as is, IPv4-mapped as IPv4, IPv6 by /64', () => {
    assert.equal(addressKey('198.18.1.2'), '198.18.1.2');
    assert.equal(addressKey('::ffff:198.18.1.2'), '198.18.1.2');
    assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:2:ffff:1:2:3'));
    assert.equal(addressKey('2001:DB8:1:2::1%eth0'), addressKey('2001:db8:1:2::9'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::1'), addressKey('0:0:0:0:0:0:0:1'));
  });
});

describe('RetryQueue', () => {
  const cid = (n: number) => new Uint8Array(16).fill(n);
  const push = (q: RetryQueue, host: string) =>
    q.push(cid(1), cid(2), cid(3), new Uint8Array(40), 1, { host, port: 1 }, host);

  test('when full, a newcomer takes a slot of the address holding the most', () => {
    const q = new RetryQueue(4);
    for (let i = 0; i < 4; i++) assert.equal(push(q, 'A'), 'queued');
    assert.equal(push(q, 'A'), 'full');
    assert.equal(push(q, 'B'), 'replaced'); // A 3, B 1
    assert.equal(push(q, 'B'), 'replaced'); // A 2, B 2
    assert.equal(push(q, 'B'), 'full', 'B may not take more than its share');
    assert.equal(push(q, 'C'), 'replaced'); // A 1, B 2, C 1
    assert.equal(push(q, 'D'), 'replaced'); // A 1, B 1, C 1, D 1
    assert.equal(push(q, 'E'), 'full', 'no address holds more than E would');
    const dests: string[] = [];
    assert.equal(
      q.drain((_b, len, to) => {
        assert.ok(len > 0);
        dests.push(to.host);
      }),
      4,
    );
    assert.deepEqual(dests.sort(), ['A', 'B', 'C', 'D']);
    assert.equal(q.length, 0);
  });
});

describe('initialIsAuthentic', () => {
  test('a real client Initial verifies; flipped or random bytes do not', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const c = QuicConn.connect({
      identity: a,
      expectPeer: b.nodeId,
      local: { host: '127.0.0.1', port: 9 },
      remote: SERVER_ADDR,
    });
    const pkts: Uint8Array[] = [];
    c.flush((buf, len) => pkts.push(buf.slice(0, len)));
    const pkt = pkts[0];
    assert.ok(pkt && pkt.length >= 1200);
    const before = pkt.slice();
    assert.equal(initialIsAuthentic(pkt, pkt.length), true);
    assert.deepEqual(pkt, before, 'the packet is not modified');
    for (const at of [0, 5, 30, 100, 200]) {
      const bad = pkt.slice();
      bad[at] = (bad[at] ?? 0) ^ 0x10;
      assert.equal(initialIsAuthentic(bad, bad.length), false, `byte ${at} flipped`);
    }
    assert.equal(initialIsAuthentic(pkt, 60), false, 'truncated');
    const rnd = new Uint8Array(1200).map((_, i) => (i * 131 + 7) & 255);
    rnd.set(pkt.subarray(0, 40));
    assert.equal(initialIsAuthentic(rnd, rnd.length), false);
  });
});
