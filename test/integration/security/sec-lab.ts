// Shared pieces of the security lab tests (SECURITY.md): process memory/fd probes, the helper's
// counters, an egress leak counter on the laptop's physical links, and small bounded waits.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, runIn, sleep } from '../../lab/exec.ts';
import type { HelperProc, Tunnel } from '../../lab/tunnel.ts';

export const ROOT_SKIP =
  typeof process.getuid === 'function' && process.getuid() === 0 ? false : 'needs root';

/** VmRSS (KiB) and open fd count of a process, or null if it is gone. */
export async function procStats(pid: number | undefined): Promise<{ rssKiB: number; fds: number } | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    const fds = (await readdir(`/proc/${pid}/fd`)).length;
    return { rssKiB: m ? Number(m[1]) : 0, fds };
  } catch {
    return null;
  }
}

/** The helper's own pid: `ip netns exec` execs in place, so the child's pid is the helper's. */
export async function helperPid(h: HelperProc): Promise<number> {
  const pid = h.proc.pid;
  if (pid === undefined) throw new Error('helper has no pid');
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  if (!cmd.includes('quicether')) throw new Error(`pid ${pid} is not the helper: ${cmd}`);
  return pid;
}

export { helperCounters } from '../../lab/stats.ts';

export const sumPrefix = (c: Record<string, number>, prefix: string): number =>
  Object.entries(c)
    .filter(([k]) => k.startsWith(prefix))
    .reduce((n, [, v]) => n + v, 0);

export async function activePaths(t: Tunnel): Promise<number> {
  try {
    return (JSON.parse(await t.cli('laptop', ['status', '--json'])) as { activePaths: number }).activePaths;
  } catch {
    return -1;
  }
}

/** Polls `fn` every `stepMs` until it is true or `timeoutMs` passes; returns the elapsed ms or null. */
export async function waitUntil(
  fn: () => Promise<boolean>,
  timeoutMs: number,
  stepMs = 200,
): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await fn()) return Date.now() - t0;
    await sleep(stepMs);
  }
  return null;
}

export async function nftIn(ns: string, script: string): Promise<void> {
  const file = join(tmpdir(), `qe-sec-${ns}-${process.pid}-${Math.random().toString(36).slice(2)}.nft`);
  await writeFile(file, script);
  try {
    await runIn(ns, 'nft', ['-f', file]);
  } finally {
    await rm(file, { force: true });
  }
}

export interface LeakCounts {
  /** The tunnel's own UDP to the peer endpoint. */
  tunnel: number;
  /** ARP, IPv6 NDP/MLD, DHCP: link upkeep the kill switch lets through on purpose. */
  infra: number;
  /** Everything else that left a physical link: must be 0 under the kill switch. */
  leak: number;
  /** (daddr, protocol) of leaked IPv4 packets, for the failure message. */
  leaked: string[];
}

const LEAK_TABLE = 'qe_leak';

/**
 * Counts every frame leaving `devs` in `ns` at the netdev egress hook (after every inet hook:
 * what really goes on the wire), classified as tunnel / infra / leak. Independent of the kill
 * switch's own table, so it judges it rather than trusting it.
 */
export async function installLeakCounter(
  ns: string,
  devs: readonly string[],
  endpoint: { host: string; port: number },
): Promise<void> {
  const chains = devs.map(
    (d) => `  chain eg_${d} {
    type filter hook egress device "${d}" priority 0; policy accept;
    meta protocol arp counter name "infra" accept
    ip daddr ${endpoint.host} udp dport ${endpoint.port} counter name "tunnel" accept
    icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld-listener-done, mld2-listener-report } counter name "infra" accept
    udp dport { 67, 547 } counter name "infra" accept
    meta protocol ip add @leaked { ip daddr . meta l4proto }
    counter name "leak"
  }`,
  );
  await nftIn(
    ns,
    `table netdev ${LEAK_TABLE}
delete table netdev ${LEAK_TABLE}
table netdev ${LEAK_TABLE} {
  counter tunnel {}
  counter infra {}
  counter leak {}
  set leaked { type ipv4_addr . inet_proto; size 1024; flags dynamic; }
${chains.join('\n')}
}
`,
  );
}

export async function readLeakCounter(ns: string): Promise<LeakCounts> {
  const json = JSON.parse(await runIn(ns, 'nft', ['-j', 'list', 'table', 'netdev', LEAK_TABLE])) as {
    nftables: Record<string, { name?: string; packets?: number; elem?: unknown[] }>[];
  };
  const r: LeakCounts = { tunnel: 0, infra: 0, leak: 0, leaked: [] };
  for (const item of json.nftables) {
    const c = item.counter;
    if (c?.name === 'tunnel' || c?.name === 'infra' || c?.name === 'leak') r[c.name] = c.packets ?? 0;
    const s = item.set;
    if (s?.name === 'leaked') for (const e of s.elem ?? []) r.leaked.push(JSON.stringify(e));
  }
  return r;
}

/** Resets the leak counters (re-creates the table). */
export const resetLeakCounter = installLeakCounter;

/** Pings and returns the number of replies (never throws). */
export async function pingReplies(ns: string, args: readonly string[]): Promise<number> {
  let out: string;
  try {
    out = await runIn(ns, 'ping', args, 60_000);
  } catch (e) {
    out = e instanceof CommandError ? e.stdout : '';
  }
  const m = /(\d+) received/.exec(out);
  return m ? Number(m[1]) : 0;
}

/** RTTs (ms) of each reply in ping output. */
export function pingRtts(out: string): number[] {
  return [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

export function logTail(t: Tunnel, n = 30): string {
  return `--- laptop log ---\n${t.laptop.log.slice(-n).join('\n')}\n--- gw log ---\n${t.gw.log.slice(-n).join('\n')}`;
}

export { sleep };
