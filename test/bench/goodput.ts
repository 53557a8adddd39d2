// Goodput of several contenders (QuicEther, wireguard-go, kernel MPTCP) on the same lab, with
// their runs interleaved (A B A B ...) so a change in the machine's load hits all of them alike.
// Reports the median over repetitions of goodput and of each metered process's CPU cores.
import type { BenchCtx } from './context.ts';
import { type IperfRun, iperfRun } from './iperf-run.ts';
import { median, roundAll } from './report.ts';
import { summarizeTcp, type TcpInfoSummary } from './tcp-info.ts';

export interface Contender {
  name: string;
  clientNs: string;
  serverNs: string;
  server: string;
  mptcp?: boolean;
  /** Processes to meter, resolved before each run (pids can change). */
  cpuPids?: () => Promise<Record<string, number>>;
  countIfaces?: string[];
  /** Run at most this many repetitions (a reference that needs no median). */
  maxReps?: number;
  /** Sample the inner flow's own state during each run (tcp-info.ts). */
  tcpInfo?: boolean;
}

export interface ContenderResult {
  mbps: number;
  mbpsRuns: number[];
  /** Median over runs of the goodput after the first STEADY_AFTER_S seconds (start-up excluded). */
  steadyMbps: number;
  steadyMbpsRuns: number[];
  /** Median cores per metered process. */
  cpu: Record<string, number>;
  retransmits: number[];
  /** Per run: packets the client's qdiscs dropped on the counted interfaces (the lab's tbf). */
  qdiscDrops: number[];
  machineBusyCores: number[];
  /** Median TX share per counted interface (0..1). */
  ifaceShare: Record<string, number>;
  errors: string[];
  /** Per run, the inner flow's own view (with `tcpInfo`): BBR estimate and RTTs. */
  innerTcp?: TcpInfoSummary[];
  runs: IperfRun[];
}

/** Start-up (handshake, slow start) excluded from the steady figure, seconds. */
export const STEADY_AFTER_S = 2;

/** Receiver goodput over the run after `afterS`, Mbit/s (its 0.1 s intervals; NaN if none). */
export function steadyMbps(r: IperfRun, afterS = STEADY_AFTER_S): number {
  let bytes = 0;
  let secs = 0;
  for (const iv of r.rx) {
    if (iv.startS < afterS - 1e-6 || iv.endS - iv.startS < 0.05) continue;
    bytes += iv.bytes;
    secs += iv.endS - iv.startS;
  }
  return secs > 0 ? (bytes * 8) / secs / 1e6 : Number.NaN;
}

export async function compareGoodput(
  ctx: BenchCtx,
  contenders: readonly Contender[],
): Promise<Record<string, ContenderResult>> {
  const runs: Record<string, IperfRun[]> = {};
  /** Per contender and run, the inner flow's summary (contenders with `tcpInfo` only). */
  const tcp: Record<string, TcpInfoSummary[]> = {};
  for (const c of contenders) {
    runs[c.name] = [];
    tcp[c.name] = [];
  }
  for (let rep = 0; rep < ctx.reps; rep++) {
    for (const c of contenders) {
      if (rep >= (c.maxReps ?? ctx.reps)) continue;
      ctx.checkDeadline();
      const pids = c.cpuPids ? await c.cpuPids() : {};
      const r = await iperfRun({
        clientNs: c.clientNs,
        serverNs: c.serverNs,
        server: c.server,
        seconds: ctx.seconds,
        mptcp: c.mptcp ?? false,
        cpuPids: pids,
        countIfaces: c.countIfaces ?? [],
        tcpInfo: c.tcpInfo ?? false,
      });
      runs[c.name]?.push(r);
      const t = c.tcpInfo ? roundSummary(summarizeTcp(r.tcp ?? [], STEADY_AFTER_S)) : null;
      if (t) tcp[c.name]?.push(t);
      const cpu = Object.entries(r.cpu)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ');
      ctx.log(
        `  ${c.name} ${rep + 1}/${Math.min(ctx.reps, c.maxReps ?? ctx.reps)}: ${r.mbps.toFixed(1)} Mbit/s (after ${STEADY_AFTER_S} s: ${steadyMbps(r).toFixed(1)})${r.ok ? '' : ` ERROR ${r.error}`}${cpu ? ` (cores: ${cpu})` : ''}${lossNote(r)}${t && t.samples > 0 ? tcpNote(t) : ''}`,
      );
    }
  }
  const out: Record<string, ContenderResult> = {};
  for (const c of contenders) {
    const rs = runs[c.name] ?? [];
    const ok = rs.filter((r) => r.ok);
    const cpu: Record<string, number> = {};
    for (const k of Object.keys(ok[0]?.cpu ?? {})) cpu[k] = median(ok.map((r) => r.cpu[k] ?? Number.NaN));
    const ifaceShare: Record<string, number> = {};
    for (const d of c.countIfaces ?? [])
      ifaceShare[d] = median(
        ok.map((r) => {
          const tot = Object.values(r.ifaceTxBytes).reduce((a, b) => a + b, 0);
          return tot > 0 ? (r.ifaceTxBytes[d] ?? 0) / tot : Number.NaN;
        }),
      );
    const res: ContenderResult = {
      mbps: median(ok.map((r) => r.mbps)),
      mbpsRuns: roundAll(rs.map((r) => r.mbps)),
      steadyMbps: median(ok.map((r) => steadyMbps(r))),
      steadyMbpsRuns: roundAll(ok.map((r) => steadyMbps(r))),
      cpu,
      retransmits: rs.map((r) => r.retransmits),
      qdiscDrops: rs.map(totalQdiscDrops),
      machineBusyCores: roundAll(
        rs.map((r) => r.machineBusyCores),
        2,
      ),
      ifaceShare,
      errors: rs.filter((r) => !r.ok).map((r) => r.error ?? 'unknown'),
      runs: rs,
    };
    if (c.tcpInfo) res.innerTcp = tcp[c.name] ?? [];
    out[c.name] = res;
  }
  return out;
}

/** Packets the run's counted interfaces dropped in their qdiscs, all together. */
function totalQdiscDrops(r: IperfRun): number {
  return Object.values(r.qdiscDrops).reduce((a, b) => a + b, 0);
}

/** " (retransmits R, qdisc drops D)" when the run counted interfaces, else "". */
function lossNote(r: IperfRun): string {
  if (Object.keys(r.qdiscDrops).length === 0) return '';
  return ` (retransmits ${r.retransmits}, qdisc drops ${totalQdiscDrops(r)})`;
}

/** " (inner TCP: bw estimate max M, after 2 s S Mbit/s; RTT min m, after 2 s s ms)". */
function tcpNote(t: TcpInfoSummary): string {
  const bw = Number.isFinite(t.maxBwMbps)
    ? `bw estimate max ${t.maxBwMbps.toFixed(1)}, after ${STEADY_AFTER_S} s ${t.steadyBwMbps.toFixed(1)} Mbit/s; `
    : '';
  return ` (inner TCP: ${bw}RTT min ${t.minRttMs.toFixed(1)}, after ${STEADY_AFTER_S} s ${t.steadyRttMs.toFixed(1)} ms)`;
}

function roundSummary(t: TcpInfoSummary): TcpInfoSummary {
  const [maxBwMbps, steadyBwMbps, minRttMs, steadyRttMs] = roundAll([
    t.maxBwMbps,
    t.steadyBwMbps,
    t.minRttMs,
    t.steadyRttMs,
  ]) as [number, number, number, number];
  return { samples: t.samples, maxBwMbps, steadyBwMbps, minRttMs, steadyRttMs };
}

/** The run details worth keeping in the JSON (the 0.1 s intervals are dropped for size). */
export function slim(r: ContenderResult): Omit<ContenderResult, 'runs'> {
  const { runs: _runs, ...rest } = r;
  return rest;
}
