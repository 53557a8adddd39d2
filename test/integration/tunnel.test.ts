// Issue 2 in the lab: real helpers, real TUN devices, real kernel, two namespaces.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, pingLoss, runIn } from '../lab/exec.ts';
import { createLab, type Lab } from '../lab/lab.ts';
import { counterAtLeast, helperCounters } from '../lab/stats.ts';
import { tcpTransfer } from '../lab/transfer.ts';
import { GW_ENDPOINT, GW_PORT, GW_TUN, LAPTOP_TUN, startTunnel, type Tunnel } from '../lab/tunnel.ts';

const LAB_DIR = resolve(import.meta.dirname, '../lab');

const counters = helperCounters;

describe('single-path tunnel between two helpers', {
  skip: !isRoot() && 'needs root (network namespaces)',
}, () => {
  let lab: Lab;
  let t: Tunnel;

  before(async () => {
    lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'it');
    t = await startTunnel(lab, { laptopMultipath: ['mode = "disable"'] });
  });
  after(async () => {
    await t?.destroy();
    await lab?.destroy();
  });

  test('ping crosses the tunnel both ways', async () => {
    const a = await runIn(lab.laptop, 'ping', ['-c', '5', '-i', '0.1', '-W', '2', GW_TUN]);
    assert.match(a, / 0% packet loss/);
    const b = await runIn(lab.gw, 'ping', ['-c', '5', '-i', '0.1', '-W', '2', LAPTOP_TUN]);
    assert.match(b, / 0% packet loss/);
  });

  test('a 200 MB TCP transfer arrives intact (sha256 compared at both ends), through TUN offload', async () => {
    const l0 = await counters(t, 'laptop');
    const g0 = await counters(t, 'gw');
    const r = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5001, 200 * 1024 * 1024, 180);
    assert.equal(r.sent.error, undefined, `source error: ${r.sent.error}`);
    assert.equal(r.received.bytes, 200 * 1024 * 1024);
    assert.equal(r.received.sha256, r.sent.sha256);
    // The bytes above crossed both offload paths: the laptop's TCP handed its TUN super-packets
    // that the helper cut into segments, and the gateway merged segments into super-packets.
    const l1 = await counters(t, 'laptop');
    const g1 = await counters(t, 'gw');
    const delta = (a: Record<string, number>, b: Record<string, number>, k: string) =>
      (b[k] ?? 0) - (a[k] ?? 0);
    assert.ok(
      delta(l0, l1, 'tun.superReads') > 100,
      `laptop super-packets ${delta(l0, l1, 'tun.superReads')}`,
    );
    assert.ok(
      delta(g0, g1, 'tun.mergedWrites') > 100,
      `gw merged writes ${delta(g0, g1, 'tun.mergedWrites')}`,
    );
    assert.equal(delta(l0, l1, 'tun.badOffload') + delta(g0, g1, 'tun.badOffload'), 0);
    // And crossed with compressed inner headers (header-compress.ts): the data one way, the ACKs
    // the other, every packet rebuilt (the sha256 above says bit for bit) and none refused.
    const segments = (200 * 1024 * 1024) / 1368;
    assert.ok(
      delta(l0, l1, 'compressedTx') > 0.9 * segments,
      `laptop compressed ${delta(l0, l1, 'compressedTx')}`,
    );
    assert.ok(delta(g0, g1, 'compressedRx') > 0.9 * segments, `gw rebuilt ${delta(g0, g1, 'compressedRx')}`);
    assert.ok(delta(g0, g1, 'compressedTx') > 1000, `gw compressed ${delta(g0, g1, 'compressedTx')} ACKs`);
    for (const k of ['unknownContextDrops', 'badHeaderDrops'])
      assert.equal(delta(l0, l1, k) + delta(g0, g1, k), 0, k);
  });

  test('10 000 random UDP datagrams at the helper get no reply and do not disturb a transfer', async () => {
    const before = await counters(t, 'gw');
    let garbage = '';
    const transfer = tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5002, 40 * 1024 * 1024, 120, {
      onStarted: () => {
        // From the laptop namespace's plain network, not through the tunnel.
        void runIn(
          lab.laptop,
          process.execPath,
          [join(LAB_DIR, 'udp-garbage.mjs'), GW_ENDPOINT, String(GW_PORT), '10000', '1500'],
          60_000,
        ).then((o) => {
          garbage = o;
        });
      },
    });
    const r = await transfer;
    for (let i = 0; i < 50 && !garbage; i++) await new Promise((res) => setTimeout(res, 100));
    const g = JSON.parse(garbage.trim()) as { sent: number; replies: number };
    assert.equal(g.sent, 10_000);
    assert.equal(g.replies, 0, 'the helper answered unauthenticated packets');
    assert.equal(r.received.sha256, r.sent.sha256);
    const afterC = await counters(t, 'gw');
    const dropped = Object.entries(afterC)
      .filter(([k]) => k.startsWith('listener.dropped.'))
      .reduce((n, [k, v]) => n + v - (before[k] ?? 0), 0);
    assert.ok(dropped >= 9_000, `listener counted ${dropped} drops`);
    assert.equal(afterC['listener.accepted'], before['listener.accepted'], 'garbage created a connection');
  });

  test('packets the kernel drops at the TUN queue while the helper stalls are counted', async () => {
    const pid = t.laptop.proc.pid;
    assert.ok(pid);
    const before = (await counters(t, 'laptop')).tunKernelDrops;
    assert.equal(typeof before, 'number', 'tunKernelDrops is reported');
    process.kill(pid, 'SIGSTOP');
    let sent = '';
    try {
      // 2000 datagrams into the tunnel while nobody reads the TUN: its queue holds 500.
      sent = await runIn(
        lab.laptop,
        process.execPath,
        [join(LAB_DIR, 'udp-garbage.mjs'), GW_TUN, '9', '2000', '100'],
        30_000,
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.equal((JSON.parse(sent.trim()) as { sent: number }).sent, 2000);
    const after = (await counters(t, 'laptop')).tunKernelDrops ?? 0;
    assert.ok(after - (before ?? 0) >= 1000, `kernel drops +${after - (before ?? 0)} of 2000 sent`);
    const a = await runIn(lab.laptop, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', GW_TUN]);
    assert.match(a, / 0% packet loss/, 'the tunnel works again after the stall');
  });

  test('an inner source address the peer does not own is dropped and counted', async () => {
    const before = (await counters(t, 'gw')).spoofDrops ?? 0;
    await runIn(lab.laptop, 'ip', ['addr', 'add', '198.19.0.99/32', 'dev', 'lo']);
    assert.equal(
      await pingLoss(lab.laptop, ['-c', '5', '-i', '0.1', '-W', '1', '-I', '198.19.0.99', GW_TUN]),
      100,
    );
    const afterN = await counterAtLeast(t, 'gw', 'spoofDrops', before + 5);
    assert.ok(afterN - before >= 5, `spoofDrops went ${before} -> ${afterN}`);
    // The real address still works.
    assert.match(await runIn(lab.laptop, 'ping', ['-c', '2', '-i', '0.1', GW_TUN]), / 0% packet loss/);
  });
});

describe('peer authentication', { skip: !isRoot() && 'needs root (network namespaces)' }, () => {
  test('a laptop that expects another gateway NodeId gets no tunnel', async () => {
    const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'au');
    let t: Tunnel | undefined;
    try {
      t = await startTunnel(lab, { laptopExpectsGw: 'qe1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', waitPaths: 0 });
      await new Promise((r) => setTimeout(r, 3000));
      const s = JSON.parse(await t.cli('laptop', ['status', '--json'])) as {
        activePaths: number;
        state: string;
      };
      assert.equal(s.activePaths, 0);
      assert.equal(await pingLoss(lab.laptop, ['-c', '3', '-i', '0.2', '-W', '1', GW_TUN]), 100);
      const gw = await counters(t, 'gw');
      assert.equal(gw.tunTxPackets ?? 0, 0, 'a packet reached the gateway TUN');
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });
});

describe('full tunnel', { skip: !isRoot() && 'needs root (network namespaces)' }, () => {
  test('allowed_ips 0.0.0.0/0: everything goes through the gateway, the paths do not loop', async () => {
    const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'ft');
    let t: Tunnel | undefined;
    try {
      // An address that exists only behind the gateway (on its loopback).
      await runIn(lab.gw, 'ip', ['addr', 'add', '198.18.77.1/32', 'dev', 'lo']);
      t = await startTunnel(lab, { laptopMultipath: ['mode = "disable"'], laptopAllowedIps: ['0.0.0.0/0'] });
      const routes = await runIn(lab.laptop, 'ip', ['route', 'show']);
      assert.match(routes, /0\.0\.0\.0\/1 dev quicether0/);
      assert.match(routes, /128\.0\.0\.0\/1 dev quicether0/);
      const before = (await counters(t, 'gw')).tunTxPackets ?? 0;
      assert.equal(await pingLoss(lab.laptop, ['-c', '5', '-i', '0.1', '-W', '2', '198.18.77.1']), 0);
      const afterN = await counterAtLeast(t, 'gw', 'tunTxPackets', before + 5);
      assert.ok(afterN - before >= 5, `the pings did not cross the tunnel (${before} -> ${afterN})`);
      const s = JSON.parse(await t.cli('laptop', ['status', '--json'])) as { activePaths: number };
      assert.equal(s.activePaths, 1);
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });
});
