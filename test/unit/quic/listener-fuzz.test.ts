// SECURITY.md P1 at the driver level: unauthenticated packets get no reply and create no state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QuicConn, QuicListener, SCID_LEN } from '../../../app/helper/quic/index.ts';
import { CLIENT_ADDR, identities, makePair, SERVER_ADDR } from './harness.ts';

/** mulberry32: small seeded PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(rnd: () => number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

/** A syntactically valid QUIC v1 Initial with random CIDs, optional token and a random (undecryptable) payload. */
function fakeInitial(rnd: () => number, len: number, token: Uint8Array | null): Uint8Array {
  const b = randomBytes(rnd, len);
  let o = 0;
  b[o++] = 0xc0 | ((rnd() * 4) | 0); // long header, fixed bit, type Initial, pn length
  b[o++] = 0;
  b[o++] = 0;
  b[o++] = 0;
  b[o++] = 1; // version 1
  const dcidLen = 8 + ((rnd() * 13) | 0);
  b[o++] = dcidLen;
  o += dcidLen;
  const scidLen = (rnd() * 21) | 0;
  b[o++] = scidLen;
  o += scidLen;
  const t = token ?? new Uint8Array(0);
  b[o++] = t.length; // varint < 64
  b.set(t, o);
  o += t.length;
  const rest = len - o - 2;
  b[o++] = 0x40 | ((rest >> 8) & 0x3f);
  b[o++] = rest & 0xff;
  return b;
}

function fakeShort(rnd: () => number, len: number, dcid: Uint8Array | null): Uint8Array {
  const b = randomBytes(rnd, len);
  b[0] = 0x40 | ((b[0] ?? 0) & 0x3f);
  if (dcid) b.set(dcid, 1);
  return b;
}

describe('listener drops what it cannot authenticate (P1)', () => {
  for (const retry of [true, false]) {
    test(`10k random payloads, fake short headers and fake Initials: 0 replies, 0 state (retry=${retry})`, async () => {
      const [, b] = await identities();
      if (!b) throw new Error('identities');
      const listener = new QuicListener({
        identity: b,
        authorize: () => true,
        retry,
        onConnection: () => assert.fail('no connection may surface'),
      });
      const rnd = prng(retry ? 1 : 2);
      let replies = 0;
      for (let i = 0; i < 10_000; i++) {
        const kind = i % 4;
        const len = 1 + ((rnd() * 1499) | 0);
        let pkt: Uint8Array;
        if (kind === 0) pkt = randomBytes(rnd, len);
        else if (kind === 1) pkt = fakeShort(rnd, Math.max(len, 1 + SCID_LEN), null);
        // Initials with a (forged) token: with retry it is not ours; without retry the payload does not decrypt
        else if (kind === 2)
          pkt = fakeInitial(rnd, 1200 + ((rnd() * 252) | 0), randomBytes(rnd, 1 + ((rnd() * 60) | 0)));
        else pkt = retry ? randomBytes(rnd, 1200) : fakeInitial(rnd, 1200 + ((rnd() * 252) | 0), null);
        listener.handlePacket(pkt, pkt.length, CLIENT_ADDR, SERVER_ADDR, performance.now());
        if (i % 64 === 63) replies += listener.flush(() => {});
      }
      replies += listener.flush(() => {});
      listener.onTimeout(performance.now());
      replies += listener.flush(() => {});
      assert.equal(replies, 0);
      assert.equal(listener.connectionCount, 0);
      assert.equal(listener.pendingCount, 0);
      assert.equal(listener.counters.accepted, 0);
      assert.equal(listener.counters.retries, 0);
      assert.equal(listener.counters.droppedTotal, 10_000);
      assert.equal(listener.timeoutMs(), null);
      // every category was exercised past the cheap checks
      const d = listener.counters.dropped;
      assert.ok(d['unknown-cid'] > 2000);
      // fake Initials, with or without a forged token, fail their packet protection before any
      // token check, Retry or quiche connection
      assert.ok(d.undecryptable > (retry ? 2000 : 4000));
      assert.equal(d['accept-failed'], 0, 'no quiche connection was built for them');
    });
  }

  test('tokenless Initials get one small stateless Retry each if they decrypt, nothing if not', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const listener = new QuicListener({
      identity: b,
      authorize: () => true,
      onConnection: () => assert.fail('none'),
    });
    const rnd = prng(3);
    let replies = 0;
    for (let i = 0; i < 1000; i++) {
      const pkt = fakeInitial(rnd, 1200, null);
      listener.handlePacket(pkt, pkt.length, CLIENT_ADDR, SERVER_ADDR, performance.now());
      replies += listener.flush(() => {});
    }
    assert.equal(replies, 0, 'random bytes shaped like an Initial get no Retry');
    assert.equal(listener.counters.dropped.undecryptable, 1000);
    // Real Initials, one per client address (so no per-address limit applies): one Retry each.
    let maxReplyLen = 0;
    for (let i = 0; i < 50; i++) {
      const from = { host: `127.0.${1 + i}.1`, port: 41000 + i };
      const c = QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: from, remote: SERVER_ADDR });
      c.flush((buf, len) => listener.handlePacket(buf, len, from, SERVER_ADDR, performance.now()));
      replies += listener.flush((_buf, len) => (maxReplyLen = Math.max(maxReplyLen, len)));
    }
    assert.equal(replies, 50);
    assert.equal(listener.counters.retries, 50);
    assert.ok(maxReplyLen < 200, 'a Retry is small: no amplification');
    assert.equal(listener.connectionCount, 0);
    // Initials under 1200 bytes get nothing (anti-amplification)
    const small = fakeInitial(rnd, 1100, null);
    listener.handlePacket(small, small.length, CLIENT_ADDR, SERVER_ADDR, performance.now());
    assert.equal(
      listener.flush(() => {}),
      0,
    );
  });

  test('garbage aimed at a live connection id does not break it or surface anything', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const p = makePair({ identity: a, expectPeer: b.nodeId }, { identity: b, authorize: a.nodeId });
    p.pump();
    const s = p.server();
    assert.ok(s);
    const rnd = prng(4);
    const cid = s.sourceCid;
    let got = 0;
    for (let i = 0; i < 2000; i++) {
      const pkt = fakeShort(rnd, 20 + ((rnd() * 1300) | 0), cid);
      p.listener.handlePacket(pkt, pkt.length, CLIENT_ADDR, SERVER_ADDR, performance.now());
    }
    s.recvDatagrams(() => got++);
    assert.equal(got, 0);
    assert.equal(p.listener.connectionCount, 1);
    const d = new Uint8Array(1000).fill(3);
    assert.ok(p.client.sendDatagram(d, 0, d.length));
    p.pump();
    s.recvDatagrams((buf, len) => {
      assert.equal(len, 1000);
      assert.equal(buf[999], 3);
      got++;
    });
    assert.equal(got, 1, 'the connection still works');
  });

  test('a Retry token replayed from another address is dropped', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    // capture the Retry sent to CLIENT_ADDR, then make a fresh client present it from elsewhere
    const p = makePair({ identity: a, expectPeer: b.nodeId }, { identity: b, authorize: a.nodeId });
    p.pump(1); // client Initial -> Retry -> client's second Initial is now queued inside the client
    const second: Uint8Array[] = [];
    p.client.flush((buf, len) => second.push(buf.slice(0, len)));
    assert.ok(second.length > 0);
    const before = p.listener.counters.dropped['bad-token'];
    for (const pkt of second)
      p.listener.handlePacket(
        pkt,
        pkt.length,
        { host: '127.0.0.2', port: CLIENT_ADDR.port },
        SERVER_ADDR,
        performance.now(),
      );
    assert.equal(p.listener.counters.dropped['bad-token'], before + second.length);
    assert.equal(p.listener.connectionCount, 0);
    assert.equal(
      p.listener.flush(() => {}),
      0,
    );
  });
});
