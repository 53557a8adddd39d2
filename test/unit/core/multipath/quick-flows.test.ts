import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyPacket } from '../../../../app/core/flow.ts';
import { BULK_MEMORY_MS, QuickFlows } from '../../../../app/core/multipath/quick-flows.ts';
import type { Millis } from '../../../../app/core/types.ts';
import { buildPacket, v4 } from '../packet-builder.ts';

const ms = (n: number) => n as Millis;
const SRC = v4(198, 19, 0, 2);
const DST = v4(198, 19, 0, 1);

function quick(q: QuickFlows, spec: Parameters<typeof buildPacket>[0], now = 0): boolean {
  const info = classifyPacket(buildPacket({ src: SRC, dst: DST, ...spec }));
  assert.ok(info);
  return q.isQuick(info, ms(now));
}

describe('QuickFlows: which packets of a weighted session skip the spreading', () => {
  test('ping, DNS and a VoIP-sized UDP flow are quick; a large UDP datagram is not', () => {
    const q = new QuickFlows();
    assert.equal(quick(q, { proto: 1, icmpType: 8, icmpId: 7, payload: 56 }), true, 'ping');
    assert.equal(quick(q, { proto: 17, srcPort: 40000, dstPort: 53, payload: 40 }), true, 'DNS');
    assert.equal(quick(q, { proto: 17, srcPort: 40000, dstPort: 53, payload: 1200 }), true, 'DNS, large');
    assert.equal(quick(q, { proto: 17, srcPort: 40001, dstPort: 9000, payload: 120 }), true, 'VoIP');
    assert.equal(quick(q, { proto: 17, srcPort: 40002, dstPort: 443, payload: 1200 }), false, 'QUIC');
    assert.equal(quick(q, { proto: 1, icmpType: 8, icmpId: 8, payload: 1400 }), false, 'ping -s 1400');
  });

  test('a UDP flow that sent a large packet stays spread for BULK_MEMORY_MS, small packets too', () => {
    const q = new QuickFlows();
    const flow = { proto: 17, srcPort: 40002, dstPort: 443 };
    assert.equal(quick(q, { ...flow, payload: 1200 }, 0), false, 'a QUIC Initial');
    assert.equal(quick(q, { ...flow, payload: 40 }, 100), false, 'its ACK-sized packets');
    assert.equal(quick(q, { ...flow, payload: 40 }, BULK_MEMORY_MS - 1), false);
    assert.equal(quick(q, { ...flow, payload: 40 }, BULK_MEMORY_MS), true, 'idle in large packets for 10 s');
    assert.equal(quick(q, { ...flow, srcPort: 40003, payload: 40 }, 100), true, 'another flow');
  });

  test('TCP: only by port or DSCP, and then every packet of the flow; other small TCP keeps its place', () => {
    const q = new QuickFlows();
    assert.equal(quick(q, { proto: 6, srcPort: 40000, dstPort: 22, payload: 36 }), true, 'SSH keystroke');
    assert.equal(quick(q, { proto: 6, srcPort: 40000, dstPort: 22, payload: 1368 }), true, 'scp');
    assert.equal(quick(q, { proto: 6, srcPort: 40001, dstPort: 5201, payload: 37 }), false, 'iperf3 cookie');
    assert.equal(quick(q, { proto: 6, srcPort: 40002, dstPort: 443, payload: 517 }), false, 'ClientHello');
    assert.equal(quick(q, { proto: 6, srcPort: 40003, dstPort: 8080, dscp: 46, payload: 1368 }), true, 'EF');
  });
});
