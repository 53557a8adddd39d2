import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFakeTunPair } from '../../../app/helper/io/fake-tun.ts';
import { FakeUdpNetwork } from '../../../app/helper/io/fake-udp.ts';
import { PacketBatch } from '../../../app/helper/io/packet-batch.ts';
import { loopTurns } from './udp-helpers.ts';

test('fake TUN pair: writes on one end are read, in order, on the other', async () => {
  const [tun, kernel] = createFakeTunPair({ name: 'qe-test0', mtu: 1420 });
  const out = new PacketBatch({ capacity: 4, slotSize: 1500 });
  out.push(Buffer.from([0x45, 1, 2]));
  out.push(Buffer.from([0x45, 3]));
  let notified = 0;
  tun.onReadable(() => {
    notified++;
  });
  assert.equal(kernel.writeBatch(out), 2);
  assert.equal(notified, 0, 'never synchronous');
  await loopTurns(2);
  assert.ok(notified >= 1);
  tun.onReadable(null);
  const inb = new PacketBatch({ capacity: 4, slotSize: 1500, headroom: 6 });
  assert.equal(tun.readBatch(inb), 2);
  assert.deepEqual([...inb.packet(0)], [0x45, 1, 2]);
  assert.deepEqual([...inb.packet(1)], [0x45, 3]);
  assert.equal(tun.readBatch(inb), 0);
  assert.deepEqual(kernel.stats(), { rxPackets: 0, txPackets: 2, txErrors: 0 });
  out.slab.fill(0); // the reader got copies, not views of the writer's slab
  assert.deepEqual([...inb.packet(0)], [0x45, 1, 2]);
});

test('fake TUN rejects empty and over-MTU packets and drops on a full queue', () => {
  const [a, b] = createFakeTunPair({ mtu: 100, queueCapacity: 2 });
  const out = new PacketBatch({ capacity: 5, slotSize: 200 });
  out.push(Buffer.alloc(0));
  out.push(Buffer.alloc(101));
  for (let i = 0; i < 3; i++) out.push(Buffer.alloc(100, i));
  assert.equal(a.writeBatch(out), 5, 'all consumed');
  assert.equal(a.stats().txErrors, 2);
  assert.equal(b.dropped, 1);
  assert.equal(b.readBatch(new PacketBatch({ capacity: 8, slotSize: 200 })), 2);
  a.close();
  assert.throws(() => a.writeBatch(out), { code: 'EBADF' });
});

test('fake UDP filter drops datagrams like a dead link; EADDRINUSE on rebinding', async () => {
  const net = new FakeUdpNetwork();
  const a = net.bind();
  const b = net.bind({ port: 5555 });
  assert.throws(() => net.bind({ port: 5555 }), { code: 'EADDRINUSE' });
  let seen = 0;
  net.filter = () => {
    seen++;
    return false;
  };
  const out = new PacketBatch({ capacity: 2, slotSize: 64 });
  out.push(Buffer.from('lost'), b.localAddress.ip, b.localAddress.port);
  assert.equal(a.sendBatch(out), 1);
  assert.equal(seen, 1);
  assert.equal(b.recvBatch(new PacketBatch({ capacity: 2, slotSize: 64 })), 0);
  net.filter = null;
  a.sendBatch(out);
  assert.equal(b.recvBatch(new PacketBatch({ capacity: 2, slotSize: 64 })), 1);
  b.close();
  const c = net.bind({ port: 5555 }); // the port is free again after close
  assert.equal(c.localAddress.port, 5555);
});
