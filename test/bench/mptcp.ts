// Kernel MPTCP on the lab, the reference issue 3 is measured beside: the laptop opens one extra
// subflow from each further path's address (in-kernel path manager, `subflow` endpoints).
import { runIn } from '../lab/exec.ts';
import type { Lab } from '../lab/lab.ts';

export async function enableMptcp(lab: Lab): Promise<void> {
  for (const ns of [lab.laptop, lab.gw]) {
    await runIn(ns, 'sysctl', ['-q', '-w', 'net.mptcp.enabled=1']);
    await runIn(ns, 'ip', ['mptcp', 'limits', 'set', 'subflow', '2', 'add_addr_accepted', '2']);
  }
  for (const p of lab.paths.slice(1))
    await runIn(lab.laptop, 'ip', ['mptcp', 'endpoint', 'add', p.laptopAddr, 'dev', p.name, 'subflow']);
  // The lab's source rules send everything from 198.18.1.1 out of wifi0; a join arriving on lte0
  // for 198.18.1.1 must be answered on lte0, so each source table also knows the other subnets.
  for (const p of lab.paths)
    for (const q of lab.paths)
      if (q !== p)
        await runIn(lab.gw, 'ip', [
          'route',
          'replace',
          `198.18.${q.subnet}.0/24`,
          'dev',
          q.name,
          'table',
          String(100 + p.subnet),
        ]);
}

/** Adds a subflow endpoint for a new laptop address (what a network manager would do on roam). */
export async function addMptcpEndpoint(lab: Lab, addr: string, dev: string): Promise<void> {
  await runIn(lab.laptop, 'ip', ['mptcp', 'endpoint', 'add', addr, 'dev', dev, 'subflow']);
}

/** MPTCP counters of one namespace (/proc/net/netstat is per namespace). */
export async function mptcpCounters(ns: string): Promise<Record<string, number>> {
  const text = await runIn(ns, 'cat', ['/proc/net/netstat']).catch(() => '');
  const lines = text.split('\n');
  const r: Record<string, number> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] ?? '').trim().split(/\s+/);
    const values = (lines[i + 1] ?? '').trim().split(/\s+/);
    if (names[0] !== 'MPTcpExt:') continue;
    for (let k = 1; k < names.length; k++) r[names[k] as string] = Number(values[k]);
  }
  return r;
}

export function counterDelta(
  a: Record<string, number>,
  b: Record<string, number>,
  keys: string[],
): Record<string, number> {
  const r: Record<string, number> = {};
  for (const k of keys) r[k] = (b[k] ?? 0) - (a[k] ?? 0);
  return r;
}

export const JOIN_KEYS = ['MPCapableSYNRX', 'MPJoinSynRx', 'MPJoinAckRx'];
