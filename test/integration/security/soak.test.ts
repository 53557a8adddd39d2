// SECURITY.md R2, soak: QUICETHER_SOAK_S seconds (default 120 in CI) of path flapping (wifi0 and
// lte0 taken down in turn, never both: the next flap waits until both paths are back), while
// checksummed TCP transfers run back to back through the tunnel. Both helpers' RSS and open fds
// are sampled from /proc. Pass: every transfer intact; last-quarter median RSS ≤ first-quarter
// median + 30 MiB; last-quarter median fds ≤ first sample + 10; both helpers alive.
//   One hour: QUICETHER_SOAK_S=3600 node scripts/run-tests.mjs integration/security
// (The JS heap is not visible from outside the helper: RSS covers it, plus native memory.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runIn } from '../../lab/exec.ts';
import { createLab, type Lab } from '../../lab/lab.ts';
import { tcpTransfer } from '../../lab/transfer.ts';
import { GW_ENDPOINT, GW_TUN, startTunnel, type Tunnel } from '../../lab/tunnel.ts';
import {
  activePaths,
  helperPid,
  logTail,
  median,
  procStats,
  ROOT_SKIP,
  sleep,
  waitUntil,
} from './sec-lab.ts';

const SOAK_S = Number(process.env.QUICETHER_SOAK_S ?? 120);
/** How long a path stays down per flap. */
const DOWN_MS = 3000;
const TRANSFER_BYTES = 16 * 1024 * 1024;
const SAMPLE_MS = 5000;
const MiB = 1024;

/** linkUp re-adds the source rules; the gateway routes of startTunnel need re-adding too. */
async function pathUp(lab: Lab, name: string): Promise<void> {
  await lab.linkUp(name);
  const p = lab.paths.find((x) => x.name === name);
  if (!p) return;
  await runIn(lab.laptop, 'ip', [
    'route',
    'replace',
    'default',
    'via',
    p.gwAddr,
    'dev',
    name,
    'table',
    String(100 + p.subnet),
  ]);
  if (p === lab.paths[0])
    await runIn(lab.laptop, 'ip', ['route', 'replace', `${GW_ENDPOINT}/32`, 'via', p.gwAddr, 'dev', name]);
}

interface Sample {
  at: number;
  laptop: { rssKiB: number; fds: number } | null;
  gw: { rssKiB: number; fds: number } | null;
}

describe('soak (R2)', { skip: ROOT_SKIP }, () => {
  test(`${SOAK_S} s of path flapping under continuous transfers: intact, memory and fds flat`, {
    timeout: (SOAK_S + 180) * 1000,
  }, async () => {
    const lab = await createLab(undefined, 'soak');
    let t: Tunnel | undefined;
    try {
      t = await startTunnel(lab);
      const pids = { laptop: await helperPid(t.laptop), gw: await helperPid(t.gw) };
      const t0 = Date.now();
      const end = t0 + SOAK_S * 1000;
      const samples: Sample[] = [];
      const take = async () =>
        samples.push({
          at: Date.now() - t0,
          laptop: await procStats(pids.laptop),
          gw: await procStats(pids.gw),
        });
      await take();

      const sampler = (async () => {
        while (Date.now() < end) {
          await sleep(SAMPLE_MS);
          await take();
        }
      })();

      const flaps: { path: string; rejoinMs: number | null }[] = [];
      const flapper = (async () => {
        for (let i = 0; Date.now() < end - DOWN_MS; i++) {
          const name = lab.paths[i % lab.paths.length]?.name as string;
          await lab.linkDown(name);
          await sleep(DOWN_MS);
          await pathUp(lab, name);
          const rejoinMs = await waitUntil(async () => (await activePaths(t as Tunnel)) >= 2, 20_000, 250);
          flaps.push({ path: name, rejoinMs });
          await sleep(500);
        }
      })();

      const results: { ok: boolean; ms: number; why?: string }[] = [];
      const transfers = (async () => {
        for (let i = 0; Date.now() < end; i++) {
          const r = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5400 + (i % 200), TRANSFER_BYTES, 90);
          const ok =
            r.sent.error === undefined &&
            r.received.bytes === TRANSFER_BYTES &&
            r.received.sha256 === r.sent.sha256;
          results.push({
            ok,
            ms: r.sent.ms,
            ...(ok ? {} : { why: `sent ${JSON.stringify(r.sent)} received ${JSON.stringify(r.received)}` }),
          });
        }
      })();

      await Promise.all([sampler, flapper, transfers]);
      await take();

      const q = Math.max(1, Math.floor(samples.length / 4));
      const stat = (side: 'laptop' | 'gw') => {
        const rss = samples.map((s) => s[side]?.rssKiB ?? Number.NaN);
        const fds = samples.map((s) => s[side]?.fds ?? Number.NaN);
        return {
          rssFirst: median(rss.slice(0, q)),
          rssLast: median(rss.slice(-q)),
          rssMax: Math.max(...rss),
          fdFirst: fds[0] ?? Number.NaN,
          fdLast: median(fds.slice(-q)),
          fdMax: Math.max(...fds),
        };
      };
      const L = stat('laptop');
      const G = stat('gw');
      const failed = results.filter((r) => !r.ok);
      const rejoins = flaps.map((f) => f.rejoinMs).filter((x): x is number => x !== null);
      console.log(
        `R2 soak ${SOAK_S} s: ${results.length} transfers (${failed.length} bad), ${flaps.length} flaps ` +
          `(rejoin median ${median(rejoins)} ms, max ${Math.max(...rejoins)} ms, never ${flaps.length - rejoins.length}); ` +
          `transfer ms median ${median(results.map((r) => r.ms))}\n` +
          `  laptop RSS MiB first-q ${(L.rssFirst / MiB).toFixed(1)} last-q ${(L.rssLast / MiB).toFixed(1)} max ${(L.rssMax / MiB).toFixed(1)}; fds ${L.fdFirst} -> ${L.fdLast} (max ${L.fdMax})\n` +
          `  gw     RSS MiB first-q ${(G.rssFirst / MiB).toFixed(1)} last-q ${(G.rssLast / MiB).toFixed(1)} max ${(G.rssMax / MiB).toFixed(1)}; fds ${G.fdFirst} -> ${G.fdLast} (max ${G.fdMax})\n` +
          `  RSS curve laptop ${samples.map((s) => Math.round((s.laptop?.rssKiB ?? 0) / MiB)).join(' ')}\n` +
          `  RSS curve gw     ${samples.map((s) => Math.round((s.gw?.rssKiB ?? 0) / MiB)).join(' ')}\n` +
          `  fds laptop ${samples.map((s) => s.laptop?.fds).join(' ')}`,
      );
      assert.ok(
        t.laptop.proc.exitCode === null && t.gw.proc.exitCode === null,
        `a helper died\n${logTail(t)}`,
      );
      assert.ok(results.length >= 3, `only ${results.length} transfers ran`);
      assert.deepEqual(
        failed.map((f) => f.why),
        [],
        `transfers broken under flapping\n${logTail(t)}`,
      );
      for (const [side, s] of [
        ['laptop', L],
        ['gw', G],
      ] as const) {
        assert.ok(s.rssLast <= s.rssFirst + 30 * MiB, `${side} RSS grew: ${JSON.stringify(s)}`);
        assert.ok(s.fdLast <= s.fdFirst + 10, `${side} fds grew: ${JSON.stringify(s)}`);
      }
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });
});
