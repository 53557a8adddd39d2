// Two PeerSessions wired back to back through fake quiche connections: inner-header compression
// as the helper runs it (context definitions on the control stream, compressed datagrams, the
// anti-spoofing check on the rebuilt packet, a peer that lost its contexts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCidr } from '../../../app/core/cidr.ts';
import { ControlFrameReader } from '../../../app/core/control-frame.ts';
import type { ControlMessage } from '../../../app/core/control-messages.ts';
import { DATA_HEADER_LEN, FLAG_COMPRESSED } from '../../../app/core/encap.ts';
import { classify, newFlowInfo } from '../../../app/core/flow.ts';
import { ipv4HeaderChecksum } from '../../../app/core/header-compress.ts';
import type { Millis, NodeId } from '../../../app/core/types.ts';
import { PacketPool } from '../../../app/helper/dataplane/packet-pool.ts';
import type { PathLink } from '../../../app/helper/dataplane/path-link.ts';
import { PeerSession } from '../../../app/helper/dataplane/session.ts';
import { addActivePath, FakeConn, fakeLink } from './fake-link.ts';

const ms = (n: number) => n as Millis;

interface End {
  s: PeerSession;
  conn: FakeConn;
  link: PathLink;
  reader: ControlFrameReader;
  delivered: Uint8Array[];
}

function end(name: string, allowed: string): End {
  const cidr = parseCidr(allowed);
  assert.ok(cidr.ok);
  const delivered: Uint8Array[] = [];
  const pool = new PacketPool(64, 2048);
  const s = new PeerSession(
    name as NodeId,
    [cidr.value],
    { mode: 'disable', strategy: 'round-robin' },
    pool,
    (_from, p, slot) => {
      const off = p.offset(slot);
      delivered.push(new Uint8Array(p.slab.subarray(off, off + (p.lens[slot] as number)))); // a copy
      p.release(slot);
    },
    () => {},
    () => 1,
    () => 0,
  );
  const conn = new FakeConn(true);
  const link = fakeLink(conn);
  addActivePath(s, link);
  s.pumpEvents(ms(100), () => {});
  s.setHeaderCompression(true);
  return { s, conn, link, reader: new ControlFrameReader(), delivered };
}

/** Carries everything `from` sent (control first, as the stream is ordered) into `to`. */
function carry(from: End, to: End, now: number, dropData = false): Uint8Array[] {
  const control: ControlMessage[] = [];
  for (const frame of from.conn.control.splice(0))
    for (const ev of to.reader.push(frame)) if (ev.ok) control.push(ev.message);
  for (const m of control) to.s.onControl(to.link, m, ms(now));
  const sent = from.conn.sent.splice(0);
  if (!dropData) for (const d of sent) to.s.onDatagram(to.link, d, d.length, ms(now));
  return sent;
}

/** A TCP segment from `src` with Linux's timestamp option and a correct IPv4 checksum. */
function tcp(src: number[], seq: number, payload = 100): Uint8Array {
  const len = 52 + payload;
  const b = new Uint8Array(DATA_HEADER_LEN + len);
  const p = b.subarray(DATA_HEADER_LEN);
  p.set([0x45, 0, len >>> 8, len & 0xff, 0, seq & 0xff, 0x40, 0, 64, 6, 0, 0, ...src, 198, 19, 0, 1]);
  const c = ipv4HeaderChecksum(p, 0);
  p[10] = c >>> 8;
  p[11] = c & 0xff;
  p.set([0x9c, 0x40, 0x14, 0x51, 0, 0, 0, seq, 0, 0, 0, 1, 0x80, 0x10, 1, 0, 0xab, 0xcd, 0, 0], 20);
  p.set([1, 1, 8, 10, 0, 0, 0, seq, 0, 0, 0, 9], 40);
  for (let i = 52; i < len; i++) p[i] = (i * 7 + seq) & 0xff;
  return b;
}

/** A UDP datagram from `src` with `payload` bytes (the smallest compressed form: 6 + payload). */
function udp(src: number[], id: number, payload: number): Uint8Array {
  const len = 28 + payload;
  const b = new Uint8Array(DATA_HEADER_LEN + len);
  const p = b.subarray(DATA_HEADER_LEN);
  p.set([0x45, 0, len >>> 8, len & 0xff, 0, id, 0x40, 0, 64, 17, 0, 0, ...src, 198, 19, 0, 1]);
  const c = ipv4HeaderChecksum(p, 0);
  p[10] = c >>> 8;
  p[11] = c & 0xff;
  p.set([0x9c, 0x41, 0x27, 0x10, (len - 20) >>> 8, (len - 20) & 0xff, 0x12, id], 20);
  for (let i = 28; i < len; i++) p[i] = (i + id) & 0xff;
  return b;
}

function send(e: End, pkt: Uint8Array, now: number): Uint8Array {
  const whole = pkt.slice(DATA_HEADER_LEN);
  const info = newFlowInfo();
  assert.ok(classify(pkt, pkt.length - DATA_HEADER_LEN, info, DATA_HEADER_LEN));
  assert.equal(e.s.sendIp(pkt, DATA_HEADER_LEN, pkt.length - DATA_HEADER_LEN, info, ms(now)), 1);
  return whole;
}

const LAPTOP = [198, 19, 0, 2];

describe('PeerSession inner-header compression', () => {
  test('whole until the context is acknowledged, then compressed and rebuilt bit for bit', () => {
    const a = end('qe1a', '198.19.0.1/32');
    const b = end('qe1b', '198.19.0.2/32');
    const want = [send(a, tcp(LAPTOP, 1), 200), send(a, tcp(LAPTOP, 2), 200)];
    let wire = carry(a, b, 201); // whole packets, and the definition
    assert.ok(wire.every((d) => ((d[1] as number) & FLAG_COMPRESSED) === 0));
    carry(b, a, 202); // the acknowledgement
    want.push(send(a, tcp(LAPTOP, 3), 203));
    wire = carry(a, b, 204);
    assert.equal(((wire[0] as Uint8Array)[1] as number) & FLAG_COMPRESSED, FLAG_COMPRESSED);
    assert.equal((wire[0] as Uint8Array).length, DATA_HEADER_LEN + 152 - 26);
    assert.deepEqual(b.delivered, want);
    assert.equal(a.s.counters.compressedTx, 1);
    assert.equal(b.s.counters.compressedRx, 1);
  });

  test('a UDP datagram of a few bytes crosses compressed in 6 + its payload and is rebuilt', () => {
    const a = end('qe1a', '198.19.0.1/32');
    const b = end('qe1b', '198.19.0.2/32');
    const want = [send(a, udp(LAPTOP, 1, 4), 200), send(a, udp(LAPTOP, 2, 4), 200)];
    carry(a, b, 201);
    carry(b, a, 202);
    for (const [id, size] of [
      [3, 4],
      [4, 0],
    ] as const) {
      want.push(send(a, udp(LAPTOP, id, size), 203));
      const wire = carry(a, b, 204);
      assert.equal(((wire[0] as Uint8Array)[1] as number) & FLAG_COMPRESSED, FLAG_COMPRESSED);
      assert.equal((wire[0] as Uint8Array).length, DATA_HEADER_LEN + 6 + size);
    }
    assert.equal(b.s.counters.badHeaderDrops, 0);
    assert.deepEqual(b.delivered, want);
  });

  test('a rebuilt packet from a source outside allowed_ips is dropped as spoofed', () => {
    const a = end('qe1a', '198.19.0.1/32');
    const b = end('qe1b', '198.19.0.2/32');
    const forged = [198, 19, 0, 99];
    for (let i = 1; i <= 2; i++) send(a, tcp(forged, i), 200);
    carry(a, b, 201);
    carry(b, a, 202);
    send(a, tcp(forged, 3), 203);
    carry(a, b, 204);
    assert.equal(a.s.counters.compressedTx, 1);
    assert.equal(b.s.counters.spoofDrops, 3);
    assert.deepEqual(b.delivered, []);
  });

  test('a peer that lost its contexts says so; the flow crosses whole until defined again', () => {
    const a = end('qe1a', '198.19.0.1/32');
    const b = end('qe1b', '198.19.0.2/32');
    for (let i = 1; i <= 2; i++) send(a, tcp(LAPTOP, i), 200);
    carry(a, b, 201);
    carry(b, a, 202);
    b.s.resetReceive(ms(203)); // b forgets (as if a new session began on its side only)
    b.delivered.length = 0;
    send(a, tcp(LAPTOP, 3), 204);
    carry(a, b, 205);
    assert.equal(b.s.counters.unknownContextDrops, 1);
    carry(b, a, 206); // hcUnknown
    const whole = send(a, tcp(LAPTOP, 4), 207);
    const wire = carry(a, b, 208); // the packet whole, and the definition again
    assert.equal(((wire[0] as Uint8Array)[1] as number) & FLAG_COMPRESSED, 0);
    assert.deepEqual(b.delivered, [whole]);
    carry(b, a, 209);
    const last = send(a, tcp(LAPTOP, 5), 210);
    carry(a, b, 211);
    assert.deepEqual(b.delivered, [whole, last]);
    assert.equal(b.s.counters.compressedRx, 1);
  });

  test('off toward a peer that did not announce it: nothing is defined, nothing compressed', () => {
    const a = end('qe1a', '198.19.0.1/32');
    const b = end('qe1b', '198.19.0.2/32');
    a.s.setHeaderCompression(false);
    const want = [1, 2, 3, 4].map((i) => send(a, tcp(LAPTOP, i), 200));
    const wire = carry(a, b, 201);
    assert.equal(a.conn.control.length + b.conn.control.length, 0);
    assert.ok(wire.every((d) => ((d[1] as number) & FLAG_COMPRESSED) === 0));
    assert.deepEqual(b.delivered, want);
  });
});
