// Issue 2: one path, `mode = "disable"`. QuicEther against wireguard-go on the same veth, unshaped
// and at tbf 100mbit, with the CPU cores each tunnel process burns during the transfer.
import { readFileSync } from 'node:fs';
import { GW_TUN } from '../../lab/tunnel.ts';
import type { BenchCtx, Scenario, ScenarioOutput } from '../context.ts';
import { type Contender, compareGoodput, slim } from '../goodput.ts';
import { countersOf } from '../helper-stats.ts';
import { pidsInNs } from '../proc.ts';
import { figure } from '../report.ts';
import { startWireguard } from '../wireguard.ts';

const ISSUE = 'issue 2';

async function singlePath(ctx: BenchCtx, rate: string | null): Promise<ScenarioOutput> {
  const lab = await ctx.lab([{ name: 'wifi0', subnet: 1, ...(rate ? { rate } : {}) }]);
  ctx.log('  starting QuicEther (mode = "disable") and wireguard-go on wifi0');
  const t = await ctx.tunnel(lab, { laptopMultipath: ['mode = "disable"'] });
  const wg = await startWireguard(lab);
  ctx.cleanup(() => wg.destroy());
  const qePids = { quicetherLaptop: t.laptop.proc.pid ?? -1, quicetherGw: t.gw.proc.pid ?? -1 };
  // `ip netns exec` execs its command, so the spawned pid is node itself: check, and say so.
  const comm = Object.fromEntries(Object.entries(qePids).map(([k, pid]) => [k, commOf(pid)]));
  const wgPids = async (): Promise<Record<string, number>> => ({
    wireguardLaptop: (await pidsInNs(lab.laptop, 'wireguard-go'))[0] ?? -1,
    wireguardGw: (await pidsInNs(lab.gw, 'wireguard-go'))[0] ?? -1,
  });
  const contenders: Contender[] = [
    {
      name: 'quicether',
      clientNs: lab.laptop,
      serverNs: lab.gw,
      server: GW_TUN,
      cpuPids: async () => qePids,
    },
    { name: 'wireguard', clientNs: lab.laptop, serverNs: lab.gw, server: wg.gwAddr, cpuPids: wgPids },
  ];
  if (rate)
    contenders.push({
      name: 'plainTcp',
      clientNs: lab.laptop,
      serverNs: lab.gw,
      server: '198.18.1.1',
      cpuPids: async () => ({}),
      maxReps: 1,
    });
  const r = await compareGoodput(ctx, contenders);
  const qe = r.quicether;
  const w = r.wireguard;
  if (!qe || !w) throw new Error('missing contender results');
  const qeCores = (qe.cpu.quicetherLaptop ?? Number.NaN) + (qe.cpu.quicetherGw ?? Number.NaN);
  const wgCores = (w.cpu.wireguardLaptop ?? Number.NaN) + (w.cpu.wireguardGw ?? Number.NaN);
  const figures: ScenarioOutput['figures'] = {
    quicetherMbps: rate
      ? figure(qe.mbps, 'Mbit/s', { op: '>=', value: 90, label: `${ISSUE}: >= 90 Mbit/s at 100mbit` })
      : figure(qe.mbps, 'Mbit/s'),
    wireguardMbps: figure(w.mbps, 'Mbit/s'),
    quicetherVsWireguard: rate
      ? figure(qe.mbps / w.mbps, 'x')
      : figure(
          qe.mbps / w.mbps,
          'x',
          { op: '>=', value: 1.0, label: `${ISSUE}: QuicEther >= 1.0 x wireguard-go` },
          { stretch: { op: '>=', value: 1.5, label: `${ISSUE} stretch: 1.5 x` } },
        ),
    quicetherLaptopCores: figure(
      qe.cpu.quicetherLaptop,
      'cores',
      rate ? { op: '<=', value: 0.4, label: `${ISSUE}: each helper <= 0.4 core at 100mbit` } : undefined,
    ),
    quicetherGwCores: figure(
      qe.cpu.quicetherGw,
      'cores',
      rate ? { op: '<=', value: 0.4, label: `${ISSUE}: each helper <= 0.4 core at 100mbit` } : undefined,
    ),
    wireguardLaptopCores: figure(w.cpu.wireguardLaptop, 'cores'),
    wireguardGwCores: figure(w.cpu.wireguardGw, 'cores'),
    quicetherMbitPerCore: figure(qe.mbps / qeCores, 'Mbit/s per core (both helpers)'),
    wireguardMbitPerCore: figure(w.mbps / wgCores, 'Mbit/s per core (both processes)'),
  };
  const plain = r.plainTcp;
  if (plain)
    figures.plainTcpMbps = figure(plain.mbps, 'Mbit/s', undefined, {
      note: 'no tunnel, same path: the ceiling',
    });
  return {
    params: {
      paths: 1,
      rate: rate ?? 'unshaped',
      mode: 'disable',
      seconds: ctx.seconds,
      reps: ctx.reps,
      tool: 'iperf3 TCP, 1 stream, laptop -> gw',
    },
    figures,
    details: {
      pidCheck: { ...qePids, comm },
      counters: await countersOf(t),
      ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, slim(v)])),
    },
  };
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

export const tunnelUnshaped: Scenario = {
  name: 'tunnel',
  issue: ISSUE,
  title: 'single path, unshaped: QuicEther vs wireguard-go goodput and CPU',
  budgetS: { quick: 90, full: 150 },
  run: (ctx) => singlePath(ctx, null),
};

export const tunnel100: Scenario = {
  name: 'tunnel100',
  issue: ISSUE,
  title: 'single path at tbf 100mbit: QuicEther >= 90 Mbit/s, each helper <= 0.4 core',
  budgetS: { quick: 90, full: 170 },
  run: (ctx) => singlePath(ctx, '100mbit'),
};
