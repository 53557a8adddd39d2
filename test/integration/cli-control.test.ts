// Issue 4 in the lab: `quicether iface disable` really moves traffic (the disabled interface's
// path carries nothing), `enable` brings it back; the opt-in Prometheus endpoint serves the
// same numbers on loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRoot, runIn, sleep } from '../lab/exec.ts';
import { createLab } from '../lab/lab.ts';
import { pathSamples } from '../lab/stats.ts';
import { pingFlood } from '../lab/traffic.ts';
import { GW_TUN, startTunnel, type Tunnel, waitForPaths } from '../lab/tunnel.ts';

test('iface disable/enable through the CLI moves traffic; metrics on loopback', {
  skip: !isRoot() && 'needs root',
}, async () => {
  const lab = await createLab(undefined, 'cl');
  let t: Tunnel | undefined;
  let stopTraffic: (() => Promise<void>) | undefined;
  try {
    t = await startTunnel(lab, {
      laptopMultipath: ['mode = "aggregate"', 'scheduler = "round-robin"'],
    });
    stopTraffic = await startPings(lab.laptop);
    await sleep(1500);
    const both = await pathSamples(t);
    assert.ok((both.find((p) => p.interface === 'lte0')?.txBps ?? 0) > 0, JSON.stringify(both));

    assert.match(await t.cli('laptop', ['iface', 'disable', 'lte0']), /lte0: disabled/);
    await sleep(1500);
    const off = await pathSamples(t);
    const lte = off.find((p) => p.interface === 'lte0');
    assert.ok(!lte || lte.txBps === 0, `lte0 still carries ${lte?.txBps} bit/s`);
    assert.ok((off.find((p) => p.interface === 'wifi0')?.txBps ?? 0) > 0, 'wifi0 stopped too');
    const ifaces = JSON.parse(await t.cli('laptop', ['iface', '--json'])) as {
      name: string;
      enabled: boolean;
    }[];
    assert.equal(ifaces.find((i) => i.name === 'lte0')?.enabled, false);

    await t.cli('laptop', ['iface', 'enable', 'lte0']);
    await waitForPaths(t, 2, 20_000);
    await sleep(1500);
    const back = await pathSamples(t);
    assert.ok((back.find((p) => p.interface === 'lte0')?.txBps ?? 0) > 0, JSON.stringify(back));
  } finally {
    await stopTraffic?.();
    await t?.destroy();
    await lab.destroy();
  }

  async function startPings(ns: string): Promise<() => Promise<void>> {
    const f = pingFlood(ns, GW_TUN, { intervalS: 0.01, size: 1000, maxSeconds: 40 });
    return () => f.stop();
  }
});

test('[control] metrics serves Prometheus text on loopback only', {
  skip: !isRoot() && 'needs root',
}, async () => {
  const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'me');
  let t: Tunnel | undefined;
  try {
    t = await startTunnel(lab, {
      laptopMultipath: ['mode = "disable"'],
      laptopExtra: [],
      laptopControlExtra: ['metrics = "127.0.0.1:9469"'],
    });
    const body = await runIn(lab.laptop, process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9469/metrics').then(async (r) => console.log(r.status, await r.text()))",
    ]);
    assert.match(body, /^200 /);
    assert.match(body, /quicether_/);
  } finally {
    await t?.destroy();
    await lab.destroy();
  }
});
