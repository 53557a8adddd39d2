// The lab's per-path delay (NFQUEUE, test/lab/delay): two paths get their own RTT, TCP still fills
// a 100mbit path through 50 ms, jitter stays in its bounds, and nothing outlives the lab.
// Assertions are on RTT windows measured by ping -U (generous), never on the test's own timing.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { iperfClient, startIperfServer, stopServer } from '../bench/iperf.ts';
import { clearAllDelays, setDelay } from '../lab/delay/delay.ts';
import { isRoot, runIn, sleep } from '../lab/exec.ts';
import { createLab, type Lab, type LabPath } from '../lab/lab.ts';

interface Ping {
  received: number;
  min: number;
  avg: number;
  /** Median RTT: a scheduling stall on a busy 2-core box moves the mean, hardly the median. */
  median: number;
  max: number;
  /** Every reply's RTT, in ms, sorted ascending. */
  samples: number[];
}

/** `ping -U` (user-to-user: sees both halves of an NFQUEUE delay) from laptop across one path. */
async function ping(lab: Lab, p: LabPath, count: number, size = 56): Promise<Ping> {
  const args = ['-U', '-n', '-c', String(count), '-i', '0.05', '-W', '3', '-s', String(size)];
  const out = await runIn(lab.laptop, 'ping', [...args, '-I', p.laptopAddr, p.gwAddr], 30_000);
  const rx = /(\d+) received/.exec(out);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\//.exec(out);
  assert.ok(rx && rtt, `unexpected ping output: ${out}`);
  const samples = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? Number.NaN;
  return {
    received: Number(rx[1]),
    min: Number(rtt[1]),
    avg: Number(rtt[2]),
    max: Number(rtt[3]),
    median,
    samples,
  };
}

const path = (lab: Lab, name: string): LabPath => {
  const p = lab.paths.find((x) => x.name === name);
  assert.ok(p);
  return p;
};

async function withLab(fn: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await createLab(undefined, 'dly');
  try {
    await fn(lab);
  } finally {
    await clearAllDelays(lab);
    await lab.destroy();
  }
}

describe('lab delay (NFQUEUE)', { concurrency: false }, () => {
  test('wifi0 10 ms and lte0 50 ms each get their own RTT, and clearing restores it', async (t) => {
    if (!isRoot()) return t.skip('needs root for network namespaces');
    await withLab(async (lab) => {
      const wifi = path(lab, 'wifi0');
      const lte = path(lab, 'lte0');
      const base = await ping(lab, wifi, 5);
      assert.ok(base.median < 5, `undelayed RTT ${base.median} ms`);

      const hw = await setDelay(lab, 'wifi0', { rttMs: 10 });
      const hl = await setDelay(lab, 'lte0', { rttMs: 50 });
      const w = await ping(lab, wifi, 10);
      const l = await ping(lab, lte, 10);
      t.diagnostic(
        `wifi0 rtt min/avg/median/max ${w.min}/${w.avg}/${w.median}/${w.max} ms; ` +
          `lte0 ${l.min}/${l.avg}/${l.median}/${l.max} ms`,
      );
      assert.equal(w.received, 10);
      assert.equal(l.received, 10);
      assert.ok(w.median >= 9 && w.median <= 16, `wifi0 median RTT ${w.median} ms not in 9–16`);
      assert.ok(l.median >= 48 && l.median <= 60, `lte0 median RTT ${l.median} ms not in 48–60`);
      assert.ok(w.min >= 9.5, `wifi0 min RTT ${w.min} ms: a packet skipped the delay`);
      assert.ok(l.min >= 49.5, `lte0 min RTT ${l.min} ms: a packet skipped the delay`);

      const ks = await hl.kernelStats();
      assert.equal(ks.laptop?.queueDropped, 0);
      assert.equal(ks.gw?.userDropped, 0);

      const stats = await hw.stop();
      assert.equal(hw.error(), null);
      assert.ok(stats.laptop && stats.gw, 'both ends reported stats');
      // Each end saw at least the 10 echo requests/replies, and released all it held.
      assert.ok(stats.laptop.received >= 10 && stats.gw.received >= 10);
      assert.equal(stats.laptop.released, stats.laptop.received);
      assert.equal(stats.gw.released, stats.gw.received);
      const after = await ping(lab, wifi, 5);
      assert.ok(after.median < 5, `RTT after stop ${after.median} ms`);
      // lte0 is still delayed: clearing one path leaves the other alone.
      assert.ok((await ping(lab, lte, 3)).min >= 49.5);
    });
  });

  test('TCP fills tbf 100mbit through 50 ms RTT', async (t) => {
    if (!isRoot()) return t.skip('needs root for network namespaces');
    await withLab(async (lab) => {
      const lte = path(lab, 'lte0');
      await lab.setRate('lte0', '100mbit');
      const h = await setDelay(lab, 'lte0', { rttMs: 50 });
      const server = await startIperfServer(lab.gw, lte.gwAddr, 5201);
      try {
        const r = await iperfClient(lab.laptop, lte.gwAddr, 5, { bind: lte.laptopAddr, interval: 1 });
        const ks = await h.kernelStats();
        const stats = await h.stop();
        t.diagnostic(
          `iperf3 ${r.mbps.toFixed(1)} Mbit/s, ${r.retransmits} retransmits, per-second ${r.intervals.map((x) => x.toFixed(1)).join(' ')}; ` +
            `max held laptop/gw ${stats.laptop?.maxHeld}/${stats.gw?.maxHeld}; kernel drops ${ks.gw?.queueDropped}/${ks.gw?.userDropped}`,
        );
        assert.ok(r.mbps > 50, `TCP through 100mbit + 50 ms RTT only ${r.mbps.toFixed(1)} Mbit/s`);
        assert.equal(ks.gw?.queueDropped, 0, 'the delay queue overflowed');
        assert.equal(h.error(), null);
        // The delay was really in the path while TCP ran: the receiving end held a window's worth.
        assert.ok((stats.gw?.maxHeld ?? 0) > 50, `gw held at most ${stats.gw?.maxHeld} packets`);
      } finally {
        await stopServer(server);
      }
    });
  });

  test('jitter keeps RTT within rtt ± jitter, actually varies it, and carries TCP', async (t) => {
    if (!isRoot()) return t.skip('needs root for network namespaces');
    await withLab(async (lab) => {
      const wifi = path(lab, 'wifi0');
      const h = await setDelay(lab, 'wifi0', { rttMs: 20, jitterMs: 10, seed: 7 });
      // 17 bytes of ICMP data: an IP packet whose length is not a multiple of 4 (netlink padding).
      const r = await ping(lab, wifi, 30, 17);
      t.diagnostic(`wifi0 20±10 ms: rtt min/avg/max ${r.min}/${r.avg}/${r.max} ms; ${r.samples.join(' ')}`);
      assert.equal(r.received, 30);
      assert.ok(r.min >= 9.5, `min RTT ${r.min} ms below 20 - 10`);
      // Noise (a busy 2-core box) only ever adds latency: the floor is strict, the rest uses quantiles.
      assert.equal(r.samples.length, 30);
      assert.ok(r.median >= 15 && r.median <= 25, `median RTT ${r.median} ms not in 15–25`);
      const q1 = r.samples[7] ?? Number.NaN;
      const q3 = r.samples[22] ?? Number.NaN;
      assert.ok(q3 - q1 >= 2, `interquartile RTT spread ${(q3 - q1).toFixed(1)} ms: no jitter`);

      // Jitter copies packet headers for the flow key: TCP (many sizes, both directions) must pass.
      await lab.setRate('wifi0', '100mbit');
      const server = await startIperfServer(lab.gw, wifi.gwAddr, 5202);
      try {
        const x = await iperfClient(lab.laptop, wifi.gwAddr, 2, { bind: wifi.laptopAddr, port: 5202 });
        t.diagnostic(
          `iperf3 through 100mbit + 20±10 ms: ${x.mbps.toFixed(1)} Mbit/s, ${x.retransmits} retransmits`,
        );
        assert.ok(x.mbps > 10, `TCP through jitter only ${x.mbps.toFixed(1)} Mbit/s`);
      } finally {
        await stopServer(server);
      }
      assert.equal(h.error(), null, 'an nfq-delay end died');
      const stats = await h.stop();
      assert.ok((stats.gw?.received ?? 0) > 1000, 'the TCP data went through the delay');
    });
  });

  test('a full delay queue drops (and counts) rather than letting packets bypass the delay', async (t) => {
    if (!isRoot()) return t.skip('needs root for network namespaces');
    await withLab(async (lab) => {
      const wifi = path(lab, 'wifi0');
      const h = await setDelay(lab, 'wifi0', { rttMs: 200, maxQueue: 10 });
      // A burst of 40 echo requests (-l preload) against a 100 ms hold of at most 10 packets per end.
      const cmd = `ping -U -n -q -c 40 -l 40 -W 2 -I ${wifi.laptopAddr} ${wifi.gwAddr}; true`;
      const out = await runIn(lab.laptop, 'sh', ['-c', cmd], 30_000);
      const received = Number(/(\d+) received/.exec(out)?.[1] ?? Number.NaN);
      const ks = await h.kernelStats();
      t.diagnostic(`received ${received}/40; kernel queue drops gw ${ks.gw?.queueDropped}`);
      assert.ok(received >= 1 && received <= 20, `received ${received} of 40`);
      assert.ok((ks.gw?.queueDropped ?? 0) >= 20, `gw counted only ${ks.gw?.queueDropped} overflow drops`);
      const rtt = /= ([\d.]+)\//.exec(out);
      assert.ok(rtt && Number(rtt[1]) >= 199, `a reply came back in ${rtt?.[1]} ms: it bypassed the delay`);
    });
  });

  test('the delay processes exit when the lab is destroyed without stop()', async (t) => {
    if (!isRoot()) return t.skip('needs root for network namespaces');
    const lab = await createLab(undefined, 'dly');
    let pids: (number | undefined)[] = [];
    try {
      const h = await setDelay(lab, 'lte0', { rttMs: 30 });
      pids = [h.pids.laptop, h.pids.gw];
      assert.ok(pids.every((p) => typeof p === 'number'));
    } finally {
      await lab.destroy();
    }
    // Within ~200 ms each process notices its namespace is gone; allow 5 s before failing.
    const alive = () => pids.filter((p) => p !== undefined && isAlive(p));
    for (let i = 0; i < 50 && alive().length > 0; i++) await sleep(100);
    assert.deepEqual(alive(), [], 'nfq-delay outlived its namespace');
    await clearAllDelays(lab); // reaps the handles; must not throw on a deleted lab
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by Node) still answers kill(0): check its state.
    return !/^\S+ \(.*\) Z/.test(readStat(pid));
  } catch {
    return false;
  }
}

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}
