// One measured iperf3 TCP transfer for the benchmarks: goodput at the receiver, the receiver's own
// 0.1 s byte timeline (iperf3 server JSON via --get-server-output), CPU cores of chosen processes,
// bytes per lab interface, and actions fired at fixed times into the run (kill a path, roam).
// Bounded: fixed duration plus a hard timeout; the server is always killed at the end.
import type { ChildProcess } from 'node:child_process';
import { CommandError, runIn, sleep, spawnIn, waitExit } from '../lab/exec.ts';
import { cpuMeter, machineBusySeconds } from './proc.ts';
import { startTcpSampler, type TcpInfoSample } from './tcp-info.ts';

/** How often the inner flow's `ss -tin` is sampled when asked (tcp-info.ts), ms. */
const TCP_SAMPLE_MS = 200;

export interface TimedAction {
  /** Milliseconds after the client was spawned. */
  atMs: number;
  name: string;
  run: () => Promise<void>;
}

export interface IperfRunOptions {
  clientNs: string;
  serverNs: string;
  /** Address the server binds and the client dials. */
  server: string;
  seconds: number;
  /** Both ends under `mptcpize run` (kernel MPTCP). */
  mptcp?: boolean;
  /** Processes to meter during the transfer, by label. */
  cpuPids?: Record<string, number>;
  /** Interfaces whose TX bytes are counted over the run, in the client's namespace. */
  countIfaces?: string[];
  actions?: TimedAction[];
  /** Sample the flow's own state (`ss -tin`, tcp-info.ts) in the client's namespace. */
  tcpInfo?: boolean;
}

export interface RxInterval {
  startS: number;
  endS: number;
  bytes: number;
}

export interface IperfRun {
  ok: boolean;
  error?: string;
  /** Receiver goodput over the whole run, Mbit/s (0 when the run failed early). */
  mbps: number;
  sentBytes: number;
  receivedBytes: number;
  retransmits: number;
  /** The receiver's 0.1 s intervals (iperf3 server side). */
  rx: RxInterval[];
  /** CPU cores (CPU s / wall s) per metered process. */
  cpu: Record<string, number>;
  /** Cores busy on the whole machine during the run (all processes, for context). */
  machineBusyCores: number;
  /** TX bytes per counted interface over the run. */
  ifaceTxBytes: Record<string, number>;
  /** Packets the client's qdisc dropped per counted interface over the run (the lab's tbf: a
   *  full first-hop queue), beside the helper's own drops and the sender's retransmits. */
  qdiscDrops: Record<string, number>;
  /** When each action ran, seconds after the client was spawned. */
  actions: { name: string; atS: number; tookMs: number; error?: string }[];
  /** The flow's own RTT, window and BBR estimate over the run (with `tcpInfo`). */
  tcp?: TcpInfoSample[];
}

let nextPort = 5300 + (process.pid % 200) * 10;

interface IperfJson {
  error?: string;
  end?: {
    sum_received?: { bits_per_second: number; bytes: number };
    sum_sent?: { bytes: number; retransmits?: number };
  };
  server_output_json?: {
    intervals?: { sum: { start: number; end: number; bytes: number } }[];
  };
}

export async function iperfRun(o: IperfRunOptions): Promise<IperfRun> {
  const port = nextPort++;
  const pre = o.mptcp ? ['mptcpize', 'run', 'iperf3'] : ['iperf3'];
  const server = spawnIn(o.serverNs, pre[0] as string, [
    ...pre.slice(1),
    '-s',
    '-B',
    o.server,
    '-p',
    String(port),
    '--one-off',
    '-i',
    '0.1',
    '-J',
  ]);
  const actions: IperfRun['actions'] = [];
  const timers: NodeJS.Timeout[] = [];
  const pending: Promise<void>[] = [];
  try {
    await sleep(400);
    const if0 = await ifaceTx(o.clientNs, o.countIfaces ?? []);
    const qd0 = await qdiscDrops(o.clientNs, o.countIfaces ?? []);
    const meters = Object.entries(o.cpuPids ?? {}).map(([k, pid]) => [k, cpuMeter(pid)] as const);
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    for (const a of o.actions ?? []) {
      timers.push(
        setTimeout(() => {
          const s = performance.now();
          pending.push(
            a.run().then(
              () => void actions.push({ name: a.name, atS: (s - t0) / 1000, tookMs: performance.now() - s }),
              (e: unknown) =>
                void actions.push({
                  name: a.name,
                  atS: (s - t0) / 1000,
                  tookMs: performance.now() - s,
                  error: String((e as Error).message ?? e).slice(0, 300),
                }),
            ),
          );
        }, a.atMs),
      );
    }
    const args = ['-c', o.server, '-p', String(port), '-t', String(o.seconds), '-i', '0.5', '-J'];
    args.push('--get-server-output');
    // The inner flow's congestion control: the host default unless set (this VM's default is bbr).
    const cc = process.env.QUICETHER_BENCH_TCP_CC;
    if (cc) args.push('-C', cc);
    let out: string;
    let cmdError: string | undefined;
    const sampler = o.tcpInfo
      ? startTcpSampler(o.clientNs, TCP_SAMPLE_MS, Math.ceil(((o.seconds + 3) * 1000) / TCP_SAMPLE_MS))
      : null;
    try {
      out = await runIn(o.clientNs, pre[0] as string, [...pre.slice(1), ...args], (o.seconds + 25) * 1000);
    } catch (e) {
      out = e instanceof CommandError ? e.stdout : '';
      cmdError = e instanceof CommandError ? `iperf3 exit ${e.code}` : String(e);
    }
    const tcp = sampler ? await sampler.stop() : undefined;
    const wall = (performance.now() - t0) / 1000;
    const cpu: Record<string, number> = {};
    for (const [k, m] of meters) cpu[k] = m.stop();
    const machineBusyCores = (machineBusySeconds() - busy0) / wall;
    for (const t of timers) clearTimeout(t);
    await Promise.all(pending);
    const if1 = await ifaceTx(o.clientNs, o.countIfaces ?? []);
    const qd1 = await qdiscDrops(o.clientNs, o.countIfaces ?? []);
    const ifaceTxBytes: Record<string, number> = {};
    const drops: Record<string, number> = {};
    for (const d of o.countIfaces ?? []) {
      ifaceTxBytes[d] = (if1[d] ?? 0) - (if0[d] ?? 0);
      drops[d] = (qd1[d] ?? 0) - (qd0[d] ?? 0);
    }

    let j: IperfJson = {};
    try {
      j = JSON.parse(out) as IperfJson;
    } catch {
      cmdError ??= 'iperf3 printed no JSON';
    }
    const error = j.error ?? cmdError;
    const rx = (j.server_output_json?.intervals ?? []).map((i) => ({
      startS: i.sum.start,
      endS: i.sum.end,
      bytes: i.sum.bytes,
    }));
    const receivedBytes = j.end?.sum_received?.bytes ?? rx.reduce((n, i) => n + i.bytes, 0);
    const r: IperfRun = {
      ok: error === undefined,
      mbps: (j.end?.sum_received?.bits_per_second ?? 0) / 1e6,
      sentBytes: j.end?.sum_sent?.bytes ?? 0,
      receivedBytes,
      retransmits: j.end?.sum_sent?.retransmits ?? 0,
      rx,
      cpu,
      machineBusyCores,
      ifaceTxBytes,
      qdiscDrops: drops,
      actions,
    };
    if (error !== undefined) r.error = error;
    if (tcp) r.tcp = tcp;
    return r;
  } finally {
    for (const t of timers) clearTimeout(t);
    await stop(server);
  }
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  await waitExit(p, 3000);
}

/** TX bytes per interface in a namespace (`ip -s -j link`). */
export async function ifaceTx(ns: string, devs: readonly string[]): Promise<Record<string, number>> {
  if (devs.length === 0) return {};
  const out = await runIn(ns, 'ip', ['-s', '-j', 'link', 'show']).catch(() => '[]');
  const r: Record<string, number> = {};
  try {
    for (const l of JSON.parse(out) as { ifname: string; stats64?: { tx?: { bytes?: number } } }[])
      if (devs.includes(l.ifname)) r[l.ifname] = l.stats64?.tx?.bytes ?? 0;
  } catch {
    /* counted as 0 */
  }
  return r;
}

/** Packets dropped by each interface's root qdisc in a namespace so far (`tc -s -j qdisc`). */
export async function qdiscDrops(ns: string, devs: readonly string[]): Promise<Record<string, number>> {
  if (devs.length === 0) return {};
  const out = await runIn(ns, 'tc', ['-s', '-j', 'qdisc', 'show']).catch(() => '[]');
  return parseQdiscDrops(out, devs);
}

/** Drops of the root qdisc of each of `devs` in `tc -s -j qdisc show` output (0 when absent). */
export function parseQdiscDrops(json: string, devs: readonly string[]): Record<string, number> {
  const r: Record<string, number> = {};
  for (const d of devs) r[d] = 0;
  let rows: { dev?: string; root?: boolean; drops?: number }[] = [];
  try {
    const parsed: unknown = JSON.parse(json);
    if (Array.isArray(parsed)) rows = parsed as typeof rows;
  } catch {
    /* counted as 0 */
  }
  for (const q of rows)
    if (q.root === true && q.dev !== undefined && devs.includes(q.dev))
      r[q.dev] = (r[q.dev] ?? 0) + (q.drops ?? 0);
  return r;
}

/** Sums 0.1 s receiver intervals into `binS` bins (Mbit/s per bin), dropping a short last bin. */
export function timeline(rx: readonly RxInterval[], binS = 0.5): number[] {
  if (rx.length === 0) return [];
  const end = rx[rx.length - 1]?.endS ?? 0;
  const bins = Math.floor(end / binS + 1e-6);
  const bytes = new Array<number>(bins).fill(0);
  for (const i of rx) {
    const b = Math.floor((i.startS + i.endS) / 2 / binS);
    if (b < bins) bytes[b] = (bytes[b] ?? 0) + i.bytes;
  }
  return bytes.map((b) => (b * 8) / binS / 1e6);
}

/** Longest run of receiver intervals at or below `maxBytes` (0 = nothing delivered), seconds. */
export function longestStall(
  rx: readonly RxInterval[],
  fromS = 0,
  maxBytes = 0,
): { seconds: number; atS: number } {
  let best = { seconds: 0, atS: Number.NaN };
  let runStart = Number.NaN;
  for (const i of rx) {
    if (i.endS <= fromS) continue;
    if (i.bytes <= maxBytes) {
      if (Number.isNaN(runStart)) runStart = i.startS;
      const len = i.endS - runStart;
      if (len > best.seconds) best = { seconds: len, atS: runStart };
    } else runStart = Number.NaN;
  }
  return best;
}
