import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpAddrJson } from '../../../app/helper/netmon/netmon.linux.ts';

test('parses ip -j addr output; veth/tun UNKNOWN+LOWER_UP counts as up', () => {
  const json = JSON.stringify([
    {
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      operstate: 'UNKNOWN',
      addr_info: [{ family: 'inet', local: '127.0.0.1' }],
    },
    {
      ifname: 'wwan0',
      flags: ['UP', 'LOWER_UP'],
      operstate: 'UP',
      addr_info: [
        { family: 'inet', local: '198.18.2.2' },
        { family: 'inet6', local: 'fe80::1' },
      ],
    },
    { ifname: 'wlan0', flags: ['NO-CARRIER', 'UP'], operstate: 'DOWN', addr_info: [] },
  ]);
  const r = parseIpAddrJson(json, (_n, k) => k === 'cellular');
  assert.deepEqual(
    r.map((i) => [i.name, i.up, i.addresses, i.kind, i.metered]),
    [
      ['lo', true, ['127.0.0.1'], 'other', false],
      ['wlan0', false, [], 'wifi', false],
      ['wwan0', true, ['198.18.2.2'], 'cellular', true],
    ],
  );
});

test('garbage gives an empty list, not a throw', () => {
  assert.deepEqual(
    parseIpAddrJson('not json', () => false),
    [],
  );
  assert.deepEqual(
    parseIpAddrJson('{"a":1}', () => false),
    [],
  );
});
