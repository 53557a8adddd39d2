// Roaming (SECURITY.md P7 at the driver level): traffic resumes on a new client address, no reconnect.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HostPort, PathEvent, QuicConn } from '../../../app/helper/quic/index.ts';
import { identities, makePair, type Pair } from './harness.ts';

async function openPair(): Promise<Pair> {
  const [a, b] = await identities();
  if (!a || !b) throw new Error('identities');
  const p = makePair({ identity: a, expectPeer: b.nodeId }, { identity: b, authorize: a.nodeId });
  p.pump();
  assert.ok(p.client.isEstablished && p.server()?.isEstablished);
  return p;
}

function exchange(p: Pair, n: number): [number, number] {
  const s = p.server() as QuicConn;
  const d = new Uint8Array(1200).fill(1);
  for (let i = 0; i < n; i++) {
    p.client.sendDatagram(d, 0, d.length);
    s.sendDatagram(d, 0, d.length);
  }
  let up = 0;
  let down = 0;
  for (let i = 0; i < 20; i++) {
    p.pump(2);
    s.recvDatagrams(() => up++);
    p.client.recvDatagrams(() => down++);
  }
  return [up, down];
}

function events(c: QuicConn): PathEvent[] {
  const out: PathEvent[] = [];
  for (let e = c.pollPathEvent(); e !== null && out.length < 32; e = c.pollPathEvent()) out.push(e);
  return out;
}

describe('quic roaming', () => {
  test('NAT rebinding: the server follows the client to its new address', async () => {
    const p = await openPair();
    assert.deepEqual(exchange(p, 20), [20, 20]);
    const rebound: HostPort = { host: '127.0.0.1', port: 41999 };
    p.natAs = rebound;
    exchange(p, 5); // path validation happens here; datagrams may be lost while the path switches
    const [up, down] = exchange(p, 20);
    assert.equal(up, 20);
    assert.equal(down, 20);
    const ev = events(p.server() as QuicConn);
    assert.ok(
      ev.some((e) => e.kind === 'peer-migrated' && e.peer.port === rebound.port),
      JSON.stringify(ev),
    );
    assert.equal(p.listener.connectionCount, 1);
  });

  test('active migration: client.migrate() to a new local address, traffic resumes', async () => {
    const p = await openPair();
    assert.deepEqual(exchange(p, 10), [10, 10]);
    const next: HostPort = { host: '127.0.0.1', port: 42001 };
    const r = p.client.migrate(next);
    assert.ok(r.ok, r.ok ? '' : r.error);
    p.clientLocal = next;
    exchange(p, 5);
    const [up, down] = exchange(p, 20);
    assert.equal(up, 20);
    assert.equal(down, 20);
    assert.equal(p.listener.connectionCount, 1);
  });
});
