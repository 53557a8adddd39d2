// The two-namespace lab of TESTBED.md: a "laptop" and a "gw" joined by one veth pair per path.
//
//   ns <laptop>                                  ns <gw>
//   wifi0 198.18.1.2/24  <== veth "wifi" ==>  wifi0 198.18.1.1/24
//   lte0  198.18.2.2/24  <== veth "lte"  ==>  lte0  198.18.2.1/24
//
// Names are unique per run (tests may run side by side) and everything is torn down by
// `destroy()`, which callers put in a `finally`. Only 198.18.0.0/15 addresses are used.
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearAllDelays, type DelaySpec, setDelay } from './delay/delay.ts';
import { isRoot, run, runIn, tryRun } from './exec.ts';

export interface LabPathSpec {
  /** Interface name on both ends, e.g. "wifi0". */
  name: string;
  /** Third octet of 198.18.X.0/24 for this path. */
  subnet: number;
  /** Optional tbf rate on both ends, e.g. "100mbit". */
  rate?: string;
}

export interface LabPath extends LabPathSpec {
  laptopAddr: string;
  gwAddr: string;
}

export interface Lab {
  laptop: string;
  gw: string;
  paths: LabPath[];
  destroy(): Promise<void>;
  setRate(path: string, rate: string | null): Promise<void>;
  linkDown(path: string): Promise<void>;
  linkUp(path: string): Promise<void>;
  /** Drops every packet arriving on the path (both ends) while the link stays up. */
  blackhole(path: string, on: boolean): Promise<void>;
  /** Drops what arrives on the path at one end only: the other direction keeps working. */
  blackholeInto(path: string, end: 'laptop' | 'gw', on: boolean): Promise<void>;
  /** Random loss in per-ten-thousand on the receiving side of both ends (nftables netdev ingress). */
  setLoss(path: string, perTenThousand: number): Promise<void>;
  /** Round-trip delay (and jitter) on a path, half on each end's ingress (NFQUEUE, see delay/). */
  setDelay(path: string, spec: DelaySpec): Promise<void>;
}

let counter = 0;

export const DEFAULT_PATHS: LabPathSpec[] = [
  { name: 'wifi0', subnet: 1 },
  { name: 'lte0', subnet: 2 },
];

/** Creates the lab. Requires root; callers skip when `isRoot()` is false. */
export async function createLab(specs: LabPathSpec[] = DEFAULT_PATHS, tag = 'lab'): Promise<Lab> {
  if (!isRoot()) throw new Error('the lab needs root (network namespaces)');
  const id = `${process.pid % 100000}${(counter++).toString(36)}`;
  const laptop = `qe-${tag}-l${id}`;
  const gw = `qe-${tag}-g${id}`;
  const paths: LabPath[] = specs.map((s) => ({
    ...s,
    laptopAddr: `198.18.${s.subnet}.2`,
    gwAddr: `198.18.${s.subnet}.1`,
  }));

  const lab: Lab = {
    laptop,
    gw,
    paths,
    async destroy() {
      await clearAllDelays(lab).catch(() => undefined);
      // Deleting a namespace deletes its veth ends (and the peers with them).
      await tryRun('ip', ['netns', 'del', laptop]);
      await tryRun('ip', ['netns', 'del', gw]);
    },
    async setRate(name, rate) {
      for (const ns of [laptop, gw]) {
        if (rate === null) await tryRunIn(ns, 'tc', ['qdisc', 'del', 'dev', name, 'root']);
        else
          await runIn(ns, 'tc', [
            'qdisc',
            'replace',
            'dev',
            name,
            'root',
            'tbf',
            'rate',
            rate,
            'burst',
            '32kb',
            'latency',
            '50ms',
          ]);
      }
    },
    async linkDown(name) {
      await runIn(laptop, 'ip', ['link', 'set', name, 'down']);
      await runIn(gw, 'ip', ['link', 'set', name, 'down']);
    },
    async linkUp(name) {
      const p = mustPath(paths, name);
      await runIn(laptop, 'ip', ['link', 'set', name, 'up']);
      await runIn(gw, 'ip', ['link', 'set', name, 'up']);
      await addSourceRoute(laptop, p, p.laptopAddr);
    },
    async blackhole(name, on) {
      for (const ns of [laptop, gw]) await setIngressRule(ns, name, on ? 'drop' : null);
    },
    async blackholeInto(name, end, on) {
      await setIngressRule(end === 'laptop' ? laptop : gw, name, on ? 'drop' : null);
    },
    async setDelay(name, spec) {
      await setDelay(lab, name, spec);
    },
    async setLoss(name, n) {
      for (const ns of [laptop, gw])
        await setIngressRule(ns, name, n > 0 ? `numgen random mod 10000 < ${Math.round(n)} drop` : null);
    },
  };

  try {
    await run('ip', ['netns', 'add', laptop]);
    await run('ip', ['netns', 'add', gw]);
    for (const ns of [laptop, gw]) {
      await runIn(ns, 'ip', ['link', 'set', 'lo', 'up']);
      await runIn(ns, 'sysctl', ['-q', '-w', 'net.ipv4.conf.all.rp_filter=0']);
      await runIn(ns, 'sysctl', ['-q', '-w', 'net.ipv4.conf.default.rp_filter=0']);
      await runIn(ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    }
    for (const p of paths) {
      const a = `qa${id}${p.subnet}`;
      const b = `qb${id}${p.subnet}`;
      await run('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      await run('ip', ['link', 'set', a, 'netns', laptop]);
      await run('ip', ['link', 'set', b, 'netns', gw]);
      await runIn(laptop, 'ip', ['link', 'set', a, 'name', p.name]);
      await runIn(gw, 'ip', ['link', 'set', b, 'name', p.name]);
      await runIn(laptop, 'ip', ['addr', 'add', `${p.laptopAddr}/24`, 'dev', p.name]);
      await runIn(gw, 'ip', ['addr', 'add', `${p.gwAddr}/24`, 'dev', p.name]);
      for (const ns of [laptop, gw]) {
        await runIn(ns, 'ip', ['link', 'set', p.name, 'up']);
        await runIn(ns, 'sysctl', ['-q', '-w', `net.ipv4.conf.${p.name}.rp_filter=0`]);
        // One drop is one packet on a lossy link; and tbf shapes real frames.
        await tryRunIn(ns, 'ethtool', ['-K', p.name, 'tso', 'off', 'gso', 'off', 'gro', 'off']);
      }
      await addSourceRoute(laptop, p, p.laptopAddr);
      await addSourceRoute(gw, p, p.gwAddr);
      if (p.rate) await lab.setRate(p.name, p.rate);
    }
    return lab;
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}

/** A socket bound to a path's source address leaves by that path (TESTBED.md). */
async function addSourceRoute(ns: string, p: LabPath, src: string): Promise<void> {
  const table = String(100 + p.subnet);
  await tryRunIn(ns, 'ip', ['rule', 'del', 'from', src, 'table', table]);
  await runIn(ns, 'ip', ['rule', 'add', 'from', src, 'table', table]);
  await runIn(ns, 'ip', ['route', 'replace', `198.18.${p.subnet}.0/24`, 'dev', p.name, 'table', table]);
  await runIn(ns, 'ip', ['route', 'replace', 'default', 'dev', p.name, 'table', table]);
}

async function setIngressRule(ns: string, dev: string, rule: string | null): Promise<void> {
  const table = `qe_${dev}`;
  await tryRunIn(ns, 'nft', ['delete', 'table', 'netdev', table]);
  if (rule === null) return;
  const script = `table netdev ${table} {
  chain in { type filter hook ingress device "${dev}" priority 0; policy accept; ${rule}; }
}`;
  const file = join(tmpdir(), `qe-nft-${ns}-${dev}.nft`);
  await writeFile(file, script);
  try {
    await runIn(ns, 'nft', ['-f', file]);
  } finally {
    await rm(file, { force: true });
  }
}

async function tryRunIn(ns: string, cmd: string, args: readonly string[]): Promise<void> {
  await tryRun('ip', ['netns', 'exec', ns, cmd, ...args]);
}

function mustPath(paths: LabPath[], name: string): LabPath {
  const p = paths.find((x) => x.name === name);
  if (!p) throw new Error(`no lab path named ${name}`);
  return p;
}
