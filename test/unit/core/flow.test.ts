import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { classify, classifyPacket, newFlowInfo, sourceAddressOf } from '../../../app/core/flow.ts';
import { dscpOf, ipVersion, locateTransport, newTransportLocation } from '../../../app/core/ip-packet.ts';
import { buildPacket, v4 } from './packet-builder.ts';

const BULK = { proto: 6, srcPort: 40000, dstPort: 443, payload: 1200 };

describe('flow id', () => {
  test('same 5-tuple → same flow id; any field change → (almost surely) different', () => {
    const a = classifyPacket(buildPacket(BULK))!;
    const b = classifyPacket(buildPacket({ ...BULK, payload: 10 }))!;
    assert.equal(a.flowId, b.flowId, 'payload size is not part of the flow');
    const variants = [
      { ...BULK, srcPort: 40001 },
      { ...BULK, dstPort: 444 },
      { ...BULK, proto: 17 },
      { ...BULK, src: v4(198, 19, 0, 3) },
      { ...BULK, dst: v4(198, 19, 0, 9) },
      { ...BULK, version: 6 as const },
    ];
    for (const v of variants)
      assert.notEqual(classifyPacket(buildPacket(v))!.flowId, a.flowId, JSON.stringify(v));
  });

  test('stable across runs (fixed value for a fixed packet)', () => {
    // If this changes, both ends of a mixed-version tunnel would disagree on flow ids: change it on purpose only.
    assert.equal(classifyPacket(buildPacket(BULK))!.flowId, classifyPacket(buildPacket(BULK))!.flowId);
    assert.equal(classifyPacket(buildPacket(BULK))!.flowId, 4251575798);
  });

  test('ICMP echo: the identifier separates flows', () => {
    const p1 = classifyPacket(buildPacket({ proto: 1, icmpId: 1 }))!;
    const p2 = classifyPacket(buildPacket({ proto: 1, icmpId: 2 }))!;
    assert.notEqual(p1.flowId, p2.flowId);
    assert.equal(p1.srcPort, 1);
  });

  test('all fragments of a datagram share a flow', () => {
    const first = classifyPacket(buildPacket({ ...BULK, proto: 17, moreFragments: true }))!;
    const later = classifyPacket(buildPacket({ ...BULK, proto: 17, fragOffset: 185, payload: 0 }))!;
    assert.equal(first.flowId, later.flowId);
    assert.equal(later.srcPort, 0, 'a later fragment carries no ports');
  });

  test('spreads flows: 10 000 source ports land in 10 000 distinct ids', () => {
    const ids = new Set<number>();
    const out = newFlowInfo();
    const pkt = buildPacket(BULK);
    for (let port = 1; port <= 10_000; port++) {
      pkt[20] = port >> 8;
      pkt[21] = port & 0xff;
      assert.ok(classify(pkt, pkt.length, out));
      ids.add(out.flowId);
    }
    assert.equal(ids.size, 10_000);
  });
});

describe('interactive classification', () => {
  const interactive = (spec: Parameters<typeof buildPacket>[0]) =>
    classifyPacket(buildPacket(spec))!.interactive;

  test('bulk TCP is not interactive', () => {
    assert.equal(interactive(BULK), false);
    assert.equal(interactive({ ...BULK, version: 6 }), false);
  });
  test('small payload is interactive', () => {
    assert.equal(interactive({ ...BULK, payload: 200 }), true);
    assert.equal(interactive({ ...BULK, payload: 201 }), false);
    assert.equal(interactive({ ...BULK, payload: 150, tcpWords: 15 }), true, 'TCP options are not payload');
  });
  test('DSCP EF / AF41 / CS5+ is interactive, AF11 is not', () => {
    assert.equal(interactive({ ...BULK, dscp: 46 }), true);
    assert.equal(interactive({ ...BULK, dscp: 34 }), true);
    assert.equal(interactive({ ...BULK, dscp: 40 }), true);
    assert.equal(interactive({ ...BULK, dscp: 10 }), false);
    assert.equal(interactive({ ...BULK, dscp: 46, version: 6 }), true);
  });
  test('well-known interactive ports, either direction', () => {
    for (const port of [22, 53, 3478, 3479, 5060, 3389]) {
      assert.equal(interactive({ ...BULK, dstPort: port }), true, `dst ${port}`);
      assert.equal(interactive({ ...BULK, srcPort: port, dstPort: 50000 }), true, `src ${port}`);
    }
  });
  test('ICMP / ICMPv6 echo is interactive', () => {
    assert.equal(interactive({ proto: 1, payload: 1000 }), true);
    assert.equal(interactive({ version: 6, proto: 58, payload: 1000 }), true);
    assert.equal(interactive({ proto: 1, icmpType: 3, payload: 1000 }), false, 'destination unreachable');
  });
  test('reports proto, dscp, size', () => {
    const info = classifyPacket(buildPacket({ ...BULK, dscp: 46 }))!;
    assert.equal(info.proto, 6);
    assert.equal(info.dscp, 46);
    assert.equal(info.size, 20 + 20 + 1200);
    assert.equal(info.payloadSize, 1200);
  });
});

describe('bare TCP acknowledgements', () => {
  const ackOnly = (spec: Parameters<typeof buildPacket>[0]) => classifyPacket(buildPacket(spec))!.ackOnly;

  test('a TCP segment with no payload and only ACK (or ACK+PSH, ECE, CWR) is a bare ACK', () => {
    assert.equal(ackOnly({ ...BULK, payload: 0 }), true);
    assert.equal(
      ackOnly({ ...BULK, payload: 0, tcpWords: 8 }),
      true,
      'SACK and timestamp options are no payload',
    );
    assert.equal(ackOnly({ ...BULK, payload: 0, version: 6 }), true);
    assert.equal(ackOnly({ ...BULK, payload: 0, tcpFlags: 0x18 | 0x40 | 0x80 }), true);
  });
  test('data, SYN, FIN and RST are not: they must keep their place in the flow', () => {
    assert.equal(ackOnly({ ...BULK, payload: 1 }), false);
    assert.equal(ackOnly(BULK), false);
    assert.equal(ackOnly({ ...BULK, payload: 0, tcpFlags: 0x02 }), false, 'SYN');
    assert.equal(ackOnly({ ...BULK, payload: 0, tcpFlags: 0x12 }), false, 'SYN+ACK');
    assert.equal(ackOnly({ ...BULK, payload: 0, tcpFlags: 0x11 }), false, 'FIN+ACK');
    assert.equal(ackOnly({ ...BULK, payload: 0, tcpFlags: 0x14 }), false, 'RST+ACK');
  });
  test('other protocols and later fragments are not', () => {
    assert.equal(ackOnly({ proto: 17, payload: 0 }), false);
    assert.equal(ackOnly({ proto: 1, payload: 0 }), false);
    assert.equal(ackOnly({ ...BULK, fragOffset: 185, payload: 0 }), false);
  });
  test('the flag does not stick: a reused FlowInfo is rewritten by every packet', () => {
    const out = newFlowInfo();
    const ack = buildPacket({ ...BULK, payload: 0 });
    const data = buildPacket(BULK);
    assert.ok(classify(ack, ack.length, out));
    assert.equal(out.ackOnly, true);
    assert.ok(classify(data, data.length, out));
    assert.equal(out.ackOnly, false);
  });
});

describe('connection-opening TCP SYNs', () => {
  const synOnly = (spec: Parameters<typeof buildPacket>[0]) => classifyPacket(buildPacket(spec))!.synOnly;

  test('a SYN without ACK opens a connection, with or without options, ECN bits or data (TFO)', () => {
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x02 }), true);
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x02, tcpWords: 10 }), true, 'MSS, SACK, TS');
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x02 | 0x40 | 0x80 }), true, 'ECE+CWR');
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x02, version: 6 }), true);
    assert.equal(synOnly({ ...BULK, payload: 100, tcpFlags: 0x02 }), true, 'Fast Open data');
  });
  test('SYN+ACK, SYN with FIN or RST, bare ACKs and data are not', () => {
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x12 }), false, 'SYN+ACK');
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x03 }), false, 'SYN+FIN');
    assert.equal(synOnly({ ...BULK, payload: 0, tcpFlags: 0x06 }), false, 'SYN+RST');
    assert.equal(synOnly({ ...BULK, payload: 0 }), false, 'bare ACK');
    assert.equal(synOnly(BULK), false);
    assert.equal(synOnly({ proto: 17, payload: 0 }), false);
    assert.equal(synOnly({ ...BULK, fragOffset: 185, payload: 0, tcpFlags: 0x02 }), false, 'later fragment');
  });
  test('the flag does not stick on a reused FlowInfo', () => {
    const out = newFlowInfo();
    const syn = buildPacket({ ...BULK, payload: 0, tcpFlags: 0x02 });
    const data = buildPacket(BULK);
    assert.ok(classify(syn, syn.length, out));
    assert.equal(out.synOnly, true);
    assert.equal(out.ackOnly, false);
    assert.ok(classify(data, data.length, out));
    assert.equal(out.synOnly, false);
  });
});

describe('ip-packet helpers', () => {
  test('sourceAddressOf reads the IPv4 source as uint32, -1 otherwise', () => {
    assert.equal(sourceAddressOf(buildPacket({ src: v4(198, 19, 200, 254) })), v4(198, 19, 200, 254));
    assert.equal(sourceAddressOf(buildPacket({ version: 6 })), -1);
    assert.equal(sourceAddressOf(new Uint8Array(3)), -1);
  });

  test('IPv6 extension headers are walked to the transport header', () => {
    const base = buildPacket({ version: 6, proto: 17, dstPort: 53 });
    // Insert an 8-byte hop-by-hop header between the fixed header and UDP.
    const pkt = new Uint8Array(base.length + 8);
    pkt.set(base.subarray(0, 40));
    pkt[6] = 0; // next header: hop-by-hop
    pkt[40] = 17; // hop-by-hop's next header: UDP
    pkt[41] = 0; // length: (0 + 1) * 8 bytes
    pkt.set(base.subarray(40), 48);
    const loc = newTransportLocation();
    assert.ok(locateTransport(pkt, pkt.length, 0, loc));
    assert.equal(loc.proto, 17);
    assert.equal(loc.l4Offset, 48);
    assert.equal(classifyPacket(pkt)!.dstPort, 53);
  });

  test('dscpOf and ipVersion', () => {
    assert.equal(dscpOf(buildPacket({ dscp: 63, version: 6 }), 48), 63);
    assert.equal(ipVersion(Uint8Array.of(0x45), 1), 0, 'too short for an IPv4 header');
  });

  test('classify never throws on arbitrary bytes and never reads past len', () => {
    const ipish = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc
        .tuple(fc.constantFrom(0x45, 0x46, 0x4f, 0x60), fc.uint8Array({ maxLength: 120 }))
        .map(([b0, rest]) => Uint8Array.of(b0, ...rest)),
    );
    const out = newFlowInfo();
    fc.assert(
      fc.property(ipish, fc.nat(130), (bytes, len) => {
        // Bytes past `len` are poisoned: results must not depend on them.
        const n = Math.min(len, bytes.length);
        const a = classify(bytes, n, out);
        const snapshot = { ...out };
        const poisoned = Uint8Array.of(...bytes.subarray(0, n), ...new Array(64).fill(0xff));
        const b = classify(poisoned, n, out);
        assert.equal(a, b);
        if (a) assert.deepEqual(out, snapshot);
      }),
      { numRuns: 3000 },
    );
  });
});
