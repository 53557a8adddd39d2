import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseIpAddrJson } from '../../../app/helper/netmon/netmon.linux.ts';
import { isRoot, run, runIn } from '../../lab/exec.ts';

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

test("the safety-net poll's fingerprint moves on new links, up/down and IPv4 addresses (netns)", {
  skip: !isRoot() && 'needs root (network namespaces)',
}, async () => {
  const ns = `qe-fp-${process.pid}`;
  const mod = resolve(import.meta.dirname, '../../../app/helper/netmon/fingerprint.linux.ts');
  const script = `import(${JSON.stringify(mod)}).then((m) => process.stdout.write(m.interfaceFingerprint()))`;
  const fp = (): Promise<string> => runIn(ns, process.execPath, ['--import', 'tsx', '-e', script]);
  await run('ip', ['netns', 'add', ns]);
  try {
    const start = await fp();
    assert.equal(await fp(), start, 'stable while nothing changes');
    await runIn(ns, 'ip', ['link', 'add', 'qe0', 'type', 'veth', 'peer', 'name', 'qe1']);
    const added = await fp();
    assert.notEqual(added, start);
    // Both ends up: getifaddrs lists addresses of running links only (a link that starts
    // running moves operstate and carrier, and the re-read then sees its addresses).
    await runIn(ns, 'ip', ['link', 'set', 'qe1', 'up']);
    await runIn(ns, 'ip', ['link', 'set', 'qe0', 'up']);
    const up = await fp();
    assert.notEqual(up, added);
    await runIn(ns, 'ip', ['addr', 'add', '198.18.77.1/24', 'dev', 'qe0']);
    const addr = await fp();
    assert.match(addr, /qe0 .* 198\.18\.77\.1\/24/);
    await runIn(ns, 'ip', ['addr', 'del', '198.18.77.1/24', 'dev', 'qe0']);
    assert.equal(await fp(), up, 'back to the same state: the same fingerprint');
    await runIn(ns, 'ip', ['link', 'set', 'qe0', 'down']);
    assert.notEqual(await fp(), up);
  } finally {
    await run('ip', ['netns', 'del', ns]).catch(() => {});
  }
});
