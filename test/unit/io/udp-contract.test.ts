// One contract suite, three UDP backends: the in-memory fake, the node:dgram fallback and the
// native recvmmsg/sendmmsg port (loopback 127.0.0.1 only). Each must behave identically.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DgramUdpPort } from '../../../app/helper/io/dgram-udp.ts';
import { FakeUdpNetwork } from '../../../app/helper/io/fake-udp.ts';
import { IPV4_LOOPBACK } from '../../../app/helper/io/ipv4.ts';
import { NativeUdpPort } from '../../../app/helper/io/native-udp.ts';
import type { UdpPort } from '../../../app/helper/io/ports.ts';
import { native, nativeUnavailableReason } from '../../../native/index.ts';
import { batchOf, loopTurns, payload, recvExactly } from './udp-helpers.ts';

interface Backend {
  name: string;
  skip: string | false;
  open(): Promise<UdpPort>;
}

const fakeNet = new FakeUdpNetwork();
const backends: Backend[] = [
  { name: 'fake', skip: false, open: async () => fakeNet.bind({ address: '127.0.0.1' }) },
  { name: 'dgram', skip: false, open: () => DgramUdpPort.open({ address: '127.0.0.1' }) },
  {
    name: 'native',
    skip: native?.Udp
      ? false
      : `native UDP unavailable: ${nativeUnavailableReason ?? 'not on this platform'}`,
    open: async () => NativeUdpPort.open({ address: '127.0.0.1' }),
  },
];

for (const be of backends) {
  describe(`UdpPort contract: ${be.name}`, { skip: be.skip }, () => {
    const open: UdpPort[] = [];
    const pair = async (): Promise<[UdpPort, UdpPort]> => {
      const a = await be.open();
      const b = await be.open();
      open.push(a, b);
      return [a, b];
    };
    after(() => {
      for (const p of open) p.close();
    });

    test('binds to loopback with a real port', async () => {
      const [a, b] = await pair();
      assert.equal(a.localAddress.ip, IPV4_LOOPBACK);
      assert.ok(a.localAddress.port > 0);
      assert.notEqual(a.localAddress.port, b.localAddress.port);
      assert.equal(a.backend, be.name);
    });

    test('an empty read returns 0 and leaves count 0', async () => {
      const [a] = await pair();
      const batch = batchOf(8);
      batch.count = 5;
      assert.equal(a.recvBatch(batch), 0);
      assert.equal(batch.count, 0);
    });

    test('a batch of N datagrams arrives whole: same bytes, same source address', async () => {
      const [a, b] = await pair();
      const N = 48;
      const out = batchOf(64);
      for (let k = 0; k < N; k++) out.push(payload(k, 1300), b.localAddress.ip, b.localAddress.port);
      assert.equal(a.sendBatch(out), N);
      const got = await recvExactly(b, batchOf(64), N);
      assert.equal(got.bytes.length, N);
      for (let k = 0; k < N; k++) {
        assert.deepEqual(got.bytes[k], payload(k, 1300), `datagram ${k}`);
        assert.equal(got.ips[k], a.localAddress.ip);
        assert.equal(got.ports[k], a.localAddress.port);
      }
      assert.equal(a.stats().txPackets, N);
      assert.equal(b.stats().rxPackets, N);
      if (be.name === 'native') {
        // Every datagram read carries its kernel receive timestamp: its wait is counted once.
        const w = b.stats().rxWait;
        assert.ok(w);
        assert.equal(w.count, N);
        assert.equal(
          w.hist.reduce((x, y) => x + y, 0),
          N,
        );
        assert.ok(w.sumUs >= 0 && w.sumUs / N < 5_000_000, `mean wait ${w.sumUs / N} us`);
      }
    });

    test('reads never exceed the batch capacity and lose nothing (partial batches)', async () => {
      const [a, b] = await pair();
      const N = 20;
      const out = batchOf(N);
      for (let k = 0; k < N; k++) out.push(payload(k, 100 + k), b.localAddress.ip, b.localAddress.port);
      assert.equal(a.sendBatch(out), N);
      const got = await recvExactly(b, batchOf(8), N);
      assert.ok(
        got.reads.every((c) => c >= 1 && c <= 8),
        `reads ${got.reads}`,
      );
      assert.ok(got.reads.includes(8), `a full read of 8 expected, got ${got.reads}`);
      assert.deepEqual(
        got.bytes.map((x) => x.length),
        Array.from({ length: N }, (_, k) => 100 + k),
      );
    });

    test('runs of equal-size datagrams keep their boundaries, order and destinations', async () => {
      // Native sends such runs as one UDP GSO message; every backend must deliver the same.
      const [a, b] = await pair();
      const [c] = await pair();
      const plan: [UdpPort, number][] = [
        ...Array.from({ length: 10 }, (): [UdpPort, number] => [b, 1200]),
        [b, 500],
        [b, 1200],
        ...Array.from({ length: 3 }, (): [UdpPort, number] => [c, 1200]),
        [b, 1300],
        [b, 1200],
      ];
      const out = batchOf(plan.length);
      plan.forEach(([to, size], k) => {
        out.push(payload(k, size), to.localAddress.ip, to.localAddress.port);
      });
      assert.equal(a.sendBatch(out), plan.length);
      const want = (to: UdpPort) => plan.flatMap(([p, size], k) => (p === to ? [payload(k, size)] : []));
      const gotB = await recvExactly(b, batchOf(64), want(b).length);
      const gotC = await recvExactly(c, batchOf(64), want(c).length);
      assert.deepEqual(gotB.bytes, want(b));
      assert.deepEqual(gotC.bytes, want(c));
      assert.equal(a.stats().txPackets, plan.length);
      if (be.name === 'native')
        assert.ok((a.stats().gsoMessages ?? 0) >= 2, `GSO messages ${a.stats().gsoMessages}`);
    });

    test('a burst cap splits a run into GSO messages of at most that many datagrams', async () => {
      const [a, b] = await pair();
      const send = async (cap: number) => {
        const out = batchOf(20);
        for (let k = 0; k < 20; k++) {
          out.push(payload(k, 1200), b.localAddress.ip, b.localAddress.port);
          out.bursts[k] = cap;
        }
        const before = a.stats().gsoMessages ?? 0;
        assert.equal(a.sendBatch(out), 20);
        const got = await recvExactly(b, batchOf(64), 20);
        assert.deepEqual(
          got.bytes,
          Array.from({ length: 20 }, (_, k) => payload(k, 1200)),
        );
        return (a.stats().gsoMessages ?? 0) - before;
      };
      const capped = await send(8);
      const uncapped = await send(0);
      const single = await send(1);
      if (be.name === 'native') {
        assert.equal(capped, 3, 'messages of 8 + 8 + 4 datagrams');
        assert.equal(uncapped, 1, 'no cap: one message of 20');
        assert.equal(single, 0, 'a cap of 1: one message per datagram');
      }
    });

    test('sendBatch(start) sends only the tail of the batch', async () => {
      const [a, b] = await pair();
      const out = batchOf(10);
      for (let k = 0; k < 10; k++) out.push(payload(k, 64), b.localAddress.ip, b.localAddress.port);
      assert.equal(a.sendBatch(out, 7), 3);
      assert.equal(a.sendBatch(out, 10), 0);
      const got = await recvExactly(b, batchOf(16), 3);
      assert.deepEqual(
        got.bytes.map((x) => x.readUInt32BE(0)),
        [7, 8, 9],
      );
    });

    test('source addresses from a read route a reply back (echo)', async () => {
      const [a, b] = await pair();
      const out = batchOf(4);
      out.push(Buffer.from('ping-1'), b.localAddress.ip, b.localAddress.port);
      out.push(Buffer.from('ping-2'), b.localAddress.ip, b.localAddress.port);
      a.sendBatch(out);
      const inb = batchOf(4);
      await recvExactly(b, inb, 2);
      // recvExactly used `inb` for the last read: its addrs hold the sender; reply in place.
      const echoed = b.sendBatch(inb);
      assert.equal(echoed, inb.count);
      const back = await recvExactly(a, batchOf(4), inb.count);
      assert.ok(back.bytes.every((x) => x.toString().startsWith('ping-')));
      assert.ok(back.ips.every((ip) => ip === b.localAddress.ip));
      assert.ok(back.ports.every((p) => p === b.localAddress.port));
    });

    test('reads honour headroom: packet i lands at i*slotSize + headroom', async () => {
      const [a, b] = await pair();
      const out = batchOf(3);
      for (let k = 0; k < 3; k++) out.push(payload(k, 50), b.localAddress.ip, b.localAddress.port);
      a.sendBatch(out);
      const inb = batchOf(3, 256, 6);
      await recvExactly(b, inb, 3);
      for (let i = 0; i < inb.count; i++) assert.equal(inb.offsets[i], i * 256 + 6);
      assert.equal(inb.lens[0], 50);
    });

    test('onReadable(null) stops notifications; setting it again resumes them', async () => {
      const [a, b] = await pair();
      let calls = 0;
      b.onReadable(() => {
        calls++;
      });
      b.onReadable(null);
      const out = batchOf(1);
      out.push(Buffer.from('x'), b.localAddress.ip, b.localAddress.port);
      a.sendBatch(out);
      await loopTurns(20);
      assert.equal(calls, 0);
      const got = await recvExactly(b, batchOf(4), 1);
      assert.equal(got.bytes[0]?.toString(), 'x');
    });

    test('onWritable fires once when armed on a writable port', async () => {
      const [a] = await pair();
      let calls = 0;
      await new Promise<void>((resolve) => {
        a.onWritable(() => {
          calls++;
          resolve();
        });
      });
      await loopTurns(10);
      assert.equal(calls, 1);
    });

    test('an oversize datagram is dropped and counted; the rest of the batch still goes', async () => {
      const [a, b] = await pair();
      const out = batchOf(3, 70016);
      out.push(payload(0, 200), b.localAddress.ip, b.localAddress.port);
      out.push(payload(1, 70000), b.localAddress.ip, b.localAddress.port); // > 65507: EMSGSIZE
      out.push(payload(2, 200), b.localAddress.ip, b.localAddress.port);
      assert.equal(a.sendBatch(out), 3);
      const got = await recvExactly(b, batchOf(4), 2);
      assert.deepEqual(
        got.bytes.map((x) => x.readUInt32BE(0)),
        [0, 2],
      );
      await loopTurns(10); // dgram reports send errors asynchronously
      assert.equal(a.stats().txErrors, 1);
      assert.equal(a.stats().lastTxError, 'EMSGSIZE');
      assert.equal(a.stats().txPackets, 2);
    });

    test('after close: reads/writes throw EBADF, close is idempotent', async () => {
      const [a] = await pair();
      a.close();
      a.close();
      assert.equal(a.closed, true);
      assert.throws(() => a.recvBatch(batchOf(1)), { code: 'EBADF' });
      assert.throws(() => a.sendBatch(batchOf(1)), { code: 'EBADF' });
      assert.throws(() => a.onReadable(() => {}), { code: 'EBADF' });
      a.onReadable(null); // clearing is always allowed
    });
  });
}
