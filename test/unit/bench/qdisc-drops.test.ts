import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQdiscDrops } from '../../bench/iperf-run.ts';

// Shape of `tc -s -j qdisc show` (iproute2 6.x) in a lab namespace: a tbf root on the shaped
// veth, noqueue elsewhere.
const SAMPLE = JSON.stringify([
  { kind: 'noqueue', handle: '0:', dev: 'lo', root: true, drops: 0 },
  { kind: 'tbf', handle: '8753:', dev: 'wifi0', root: true, bytes: 9_000_000, packets: 6500, drops: 41 },
  { kind: 'tbf', handle: '8754:', dev: 'lte0', root: true, drops: 7 },
  { kind: 'ingress', handle: 'ffff:', dev: 'lte0', parent: 'ffff:fff1', drops: 1000 },
]);

describe('parseQdiscDrops', () => {
  test('sums the root qdisc drops of the asked interfaces only', () => {
    assert.deepEqual(parseQdiscDrops(SAMPLE, ['wifi0', 'lte0']), { wifi0: 41, lte0: 7 });
    assert.deepEqual(parseQdiscDrops(SAMPLE, ['lte0']), { lte0: 7 });
  });

  test('an interface without a qdisc, or output that is not JSON, reads 0', () => {
    assert.deepEqual(parseQdiscDrops(SAMPLE, ['eth9']), { eth9: 0 });
    assert.deepEqual(parseQdiscDrops('Error: Cannot find device', ['wifi0']), { wifi0: 0 });
    assert.deepEqual(parseQdiscDrops('{"not":"an array"}', ['wifi0']), { wifi0: 0 });
  });
});
