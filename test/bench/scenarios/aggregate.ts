// Issue 3: one TCP flow over 2 x 100mbit, QuicEther (`mode = "aggregate"`) beside kernel MPTCP on
// the same lab, runs interleaved; then the same with 10 ms / 50 ms path RTTs.
import type { LabPathSpec } from '../../lab/lab.ts';
import { GW_TUN } from '../../lab/tunnel.ts';
import type { BenchCtx, Scenario, ScenarioOutput } from '../context.ts';
import { compareGoodput, STEADY_AFTER_S, slim } from '../goodput.ts';
import { countersOf, pathsOf } from '../helper-stats.ts';
import { counterDelta, enableMptcp, JOIN_KEYS, mptcpCounters } from '../mptcp.ts';
import { figure } from '../report.ts';

const ISSUE = 'issue 3';
export const TWO_BY_100: LabPathSpec[] = [
  { name: 'wifi0', subnet: 1, rate: '100mbit' },
  { name: 'lte0', subnet: 2, rate: '100mbit' },
];
const IFACES = ['wifi0', 'lte0'];

/** WiFi 50 Mbit/s next to LTE 20 Mbit/s: capacity, not RTT, differs. */
export const UNEQUAL: LabPathSpec[] = [
  { name: 'wifi0', subnet: 1, rate: '50mbit' },
  { name: 'lte0', subnet: 2, rate: '20mbit' },
];

async function aggregate(
  ctx: BenchCtx,
  rtts: { wifi0: number; lte0: number } | null,
  specs: LabPathSpec[] = TWO_BY_100,
  goal: number = rtts ? 175 : 180,
): Promise<ScenarioOutput> {
  const lab = await ctx.lab(specs);
  if (rtts) {
    ctx.log(`  path RTTs: wifi0 +${rtts.wifi0} ms, lte0 +${rtts.lte0} ms`);
    await lab.setDelay('wifi0', { rttMs: rtts.wifi0 });
    await lab.setDelay('lte0', { rttMs: rtts.lte0 });
  }
  ctx.log('  starting QuicEther (mode = "aggregate") and enabling kernel MPTCP');
  const t = await ctx.tunnel(lab, { laptopMultipath: ['mode = "aggregate"'] });
  await enableMptcp(lab);
  const mp0 = await mptcpCounters(lab.gw);
  const r = await compareGoodput(ctx, [
    {
      name: 'quicether',
      clientNs: lab.laptop,
      serverNs: lab.gw,
      server: GW_TUN,
      countIfaces: IFACES,
      tcpInfo: true,
      cpuPids: async () => ({ quicetherLaptop: t.laptop.proc.pid ?? -1, quicetherGw: t.gw.proc.pid ?? -1 }),
    },
    {
      name: 'mptcp',
      clientNs: lab.laptop,
      serverNs: lab.gw,
      server: '198.18.1.1',
      mptcp: true,
      countIfaces: IFACES,
      tcpInfo: true,
    },
  ]);
  const joins = counterDelta(mp0, await mptcpCounters(lab.gw), JOIN_KEYS);
  const qe = r.quicether;
  const mp = r.mptcp;
  if (!qe || !mp) throw new Error('missing contender results');
  const minShare = (s: Record<string, number>) => Math.min(...IFACES.map((d) => s[d] ?? 0));
  return {
    params: {
      paths: specs,
      addedRttMs: rtts ?? 'none',
      mode: 'aggregate (default scheduler)',
      seconds: ctx.seconds,
      reps: ctx.reps,
      tool: 'iperf3 TCP, 1 stream, laptop -> gw; MPTCP under mptcpize to 198.18.1.1',
    },
    figures: {
      quicetherMbps: figure(qe.mbps, 'Mbit/s', {
        op: '>=',
        value: goal,
        label: `${ISSUE}: one TCP flow >= ${goal} Mbit/s`,
      }),
      mptcpMbps: figure(mp.mbps, 'Mbit/s', undefined, { note: 'kernel MPTCP reference, same lab' }),
      quicetherSteadyMbps: figure(qe.steadyMbps, 'Mbit/s', undefined, {
        note: `goodput after the first ${STEADY_AFTER_S} s (start-up excluded); the goal is on the whole run`,
      }),
      mptcpSteadyMbps: figure(mp.steadyMbps, 'Mbit/s', undefined, {
        note: `MPTCP after the first ${STEADY_AFTER_S} s`,
      }),
      quicetherVsMptcp: figure(qe.mbps / mp.mbps, 'x'),
      quicetherLaptopCores: figure(qe.cpu.quicetherLaptop, 'cores'),
      quicetherGwCores: figure(qe.cpu.quicetherGw, 'cores'),
      quicetherMinPathShare: figure(minShare(qe.ifaceShare), 'fraction of laptop TX bytes'),
      mptcpMinPathShare: figure(minShare(mp.ifaceShare), 'fraction of laptop TX bytes'),
    },
    details: {
      mptcpSubflows: {
        ...joins,
        twoSubflowsUsed: (joins.MPJoinAckRx ?? 0) >= 1 && minShare(mp.ifaceShare) >= 0.1,
        note: 'MPJoinAckRx counts joined subflows on the gw (iperf3 control + data connection each join one)',
      },
      quicetherPaths: await pathsOf(t),
      counters: await countersOf(t),
      quicether: slim(qe),
      mptcp: slim(mp),
    },
  };
}

export const aggregate2x100: Scenario = {
  name: 'aggregate',
  issue: ISSUE,
  title: 'one TCP flow over 2 x 100mbit: QuicEther (goal >= 180 Mbit/s) beside kernel MPTCP',
  budgetS: { quick: 90, full: 160 },
  run: (ctx) => aggregate(ctx, null),
};

export const aggregateRtt: Scenario = {
  name: 'aggregate-rtt',
  issue: ISSUE,
  title: 'one TCP flow over 2 x 100mbit with 10 ms / 50 ms RTTs (goal >= 175 Mbit/s), beside MPTCP',
  budgetS: { quick: 100, full: 170 },
  run: (ctx) => aggregate(ctx, { wifi0: 10, lte0: 50 }),
};

export const aggregateUnequal: Scenario = {
  name: 'aggregate-unequal',
  issue: ISSUE,
  title:
    'one TCP flow over 50mbit + 20mbit paths (ours: >= 0.9 x the 70 Mbit/s sum minus overhead = 60), beside MPTCP',
  budgetS: { quick: 100, full: 170 },
  run: (ctx) => aggregate(ctx, null, UNEQUAL, 60),
};
