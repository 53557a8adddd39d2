// A PeerSession over two fake paths (wifi0 5 ms, lte0 30 ms) in the default mode (aggregate,
// weighted), fed one packet per TUN batch: the setup of the quiet-path and hearing tests.
import assert from 'node:assert/strict';
import { DATA_HEADER_LEN } from '../../../app/core/encap.ts';
import { classify, newFlowInfo } from '../../../app/core/flow.ts';
import { ipv4HeaderChecksum } from '../../../app/core/header-compress.ts';
import type { Millis, NodeId } from '../../../app/core/types.ts';
import { PacketPool } from '../../../app/helper/dataplane/packet-pool.ts';
import { PeerSession } from '../../../app/helper/dataplane/session.ts';
import { addActivePath, FakeConn, fakeLink } from './fake-link.ts';

export const ms = (n: number) => n as Millis;

/** An IPv4 packet of protocol `proto` with `payload` bytes after a 20-byte header (ICMP echo
 *  request when proto is 1, UDP with ports 5000 -> 5001 when 17). */
export function packet(proto: 1 | 17, id: number, payload: number): Uint8Array {
  const len = 20 + payload;
  const b = new Uint8Array(DATA_HEADER_LEN + len);
  const p = b.subarray(DATA_HEADER_LEN);
  p.set([0x45, 0, len >>> 8, len & 0xff, 0, id, 0x40, 0, 64, proto, 0, 0, 198, 19, 0, 2, 198, 19, 0, 1]);
  const c = ipv4HeaderChecksum(p, 0);
  p[10] = c >>> 8;
  p[11] = c & 0xff;
  if (proto === 1) p.set([8, 0, 0, 0, 0, 7, 0, id], 20);
  else p.set([0x13, 0x88, 0x13, 0x89, (payload >>> 8) & 0xff, payload & 0xff, 0, 0], 20);
  return b;
}

export function setup(keepControl = false) {
  const pool = new PacketPool(64, 2048);
  const s = new PeerSession(
    'gw' as NodeId,
    [],
    { mode: 'aggregate', strategy: 'weighted' },
    pool,
    () => {},
    () => {},
    () => 1,
    () => 0,
  );
  const wifi = new FakeConn(keepControl);
  const lte = new FakeConn(keepControl);
  const wifiLink = fakeLink(wifi, 'wifi0', 'wifi', 0);
  const lteLink = fakeLink(lte, 'lte0', 'cellular', 1);
  addActivePath(s, wifiLink, 5);
  addActivePath(s, lteLink, 30);
  s.pumpEvents(ms(100), () => {});
  const info = newFlowInfo();
  /** One TUN batch at `now` with one packet: which path it went on. */
  const sendAt = (now: number, pkt: Uint8Array): 'wifi0' | 'lte0' => {
    const [w, l] = [wifi.datagrams, lte.datagrams];
    s.refreshViews(ms(now));
    assert.ok(classify(pkt, pkt.length - DATA_HEADER_LEN, info, DATA_HEADER_LEN));
    assert.equal(s.sendIp(pkt, DATA_HEADER_LEN, pkt.length - DATA_HEADER_LEN, info, ms(now)), 1);
    assert.equal(wifi.datagrams - w + lte.datagrams - l, 1);
    return wifi.datagrams > w ? 'wifi0' : 'lte0';
  };
  return { s, wifi, lte, wifiLink, lteLink, sendAt };
}
