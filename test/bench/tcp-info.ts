// The inner TCP flow's own view of the path during a goodput run, from `ss -tin` sampled in the
// client's namespace: smoothed RTT, minimum RTT, window and, under BBR, its bandwidth estimate.
//
// Why: the goodput figure says how much arrived, not why. Under BBR the estimate shows whether
// the flow believes in more bandwidth than the paths have (it then keeps about twice the
// bandwidth-delay product in flight and overflows the paths' queues); the RTT shows the queue
// it keeps. Session 16 found one flow over 10/50 ms paths estimating 185-226 Mbit/s on paths
// that carry ~182.
import type { ChildProcess } from 'node:child_process';
import { spawnIn, waitExit } from '../lab/exec.ts';
import { median } from './report.ts';

/** One connection in one `ss -tin` listing. */
export interface TcpInfoRow {
  bytesAcked: number;
  rttMs: number;
  minRttMs: number;
  cwnd: number;
  /** BBR's bandwidth estimate, bit/s (NaN when the flow does not run BBR). */
  bbrBwBps: number;
}

export interface TcpInfoSample extends TcpInfoRow {
  /** Milliseconds after sampling started. */
  atMs: number;
}

export interface TcpInfoSummary {
  samples: number;
  /** Largest BBR bandwidth estimate after the first MAX_FROM_MS, Mbit/s (NaN without BBR). */
  maxBwMbps: number;
  /** Median BBR estimate after `steadyAfterS`, Mbit/s. */
  steadyBwMbps: number;
  /** Smallest minimum RTT the flow saw, ms. */
  minRttMs: number;
  /** Median smoothed RTT after `steadyAfterS`, ms. */
  steadyRttMs: number;
}

/** A rate as ss prints it: "203513248bps", "952kbps", "1.2Mbps", "3Gbps" -> bit/s. */
export function parseRate(s: string): number {
  const m = /^([\d.]+)([kMG]?)bps$/.exec(s);
  if (!m) return Number.NaN;
  const scale = m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : m[2] === 'G' ? 1e9 : 1;
  return Number(m[1]) * scale;
}

/**
 * The connection of one `ss -tin` listing that has acknowledged the most bytes (the bulk flow,
 * not iperf3's control connection; under MPTCP one subflow), or null when there is none.
 */
export function parseSsListing(text: string): TcpInfoRow | null {
  let best: TcpInfoRow | null = null;
  for (const line of text.split('\n')) {
    if (!/^\s/.test(line) || !line.includes('rtt:')) continue;
    const num = (re: RegExp): number => {
      const m = re.exec(line);
      return m ? Number(m[1]) : Number.NaN;
    };
    const bw = /bbr:\(bw:([\d.]+[kMG]?bps)/.exec(line);
    const row: TcpInfoRow = {
      bytesAcked: num(/bytes_acked:(\d+)/),
      rttMs: num(/\srtt:([\d.]+)\//),
      minRttMs: num(/minrtt:([\d.]+)/),
      cwnd: num(/cwnd:(\d+)/),
      bbrBwBps: bw ? parseRate(bw[1] as string) : Number.NaN,
    };
    if (!Number.isFinite(row.bytesAcked)) continue;
    if (best === null || row.bytesAcked > best.bytesAcked) best = row;
  }
  return best;
}

/** Splits the sampler's output ("T <ms>" lines, each followed by one listing) into samples. */
export function parseSamples(out: string): TcpInfoSample[] {
  const samples: TcpInfoSample[] = [];
  for (const block of out.split(/^T /m).slice(1)) {
    const nl = block.indexOf('\n');
    const atMs = Number(block.slice(0, nl < 0 ? undefined : nl));
    const row = nl < 0 ? null : parseSsListing(block.slice(nl + 1));
    if (row !== null && Number.isFinite(atMs)) samples.push({ atMs, ...row });
  }
  return samples;
}

/**
 * Listings before this are left out of the largest estimate (ms): the first ones can show a
 * handshake-sized sample (an MPTCP run read 6.6 Gbit/s at its start over 100 Mbit/s paths).
 */
const MAX_FROM_MS = 500;

export function summarizeTcp(samples: readonly TcpInfoSample[], steadyAfterS: number): TcpInfoSummary {
  const bws = samples
    .filter((s) => s.atMs >= MAX_FROM_MS)
    .map((s) => s.bbrBwBps)
    .filter(Number.isFinite);
  const steady = samples.filter((s) => s.atMs >= steadyAfterS * 1000);
  const mins = samples.map((s) => s.minRttMs).filter(Number.isFinite);
  return {
    samples: samples.length,
    maxBwMbps: bws.length > 0 ? Math.max(...bws) / 1e6 : Number.NaN,
    steadyBwMbps: median(steady.map((s) => s.bbrBwBps)) / 1e6,
    minRttMs: mins.length > 0 ? Math.min(...mins) : Number.NaN,
    steadyRttMs: median(steady.map((s) => s.rttMs)),
  };
}

/**
 * Samples `ss -tin` in `ns` every `everyMs` for at most `maxSamples` listings (bounded: the
 * shell loop ends by itself; `stop()` ends it early).
 */
export function startTcpSampler(
  ns: string,
  everyMs: number,
  maxSamples: number,
): { stop: () => Promise<TcpInfoSample[]> } {
  const script =
    't0=$(date +%s%N); i=0; while [ "$i" -lt "$1" ]; do ' +
    'echo "T $(( ($(date +%s%N) - t0) / 1000000 ))"; ss -tinH; sleep "$2"; i=$((i + 1)); done';
  const p: ChildProcess = spawnIn(ns, 'sh', [
    '-c',
    script,
    'tcp-sampler',
    String(maxSamples),
    String(everyMs / 1000),
  ]);
  let out = '';
  p.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  return {
    async stop() {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await waitExit(p, 3000);
      return parseSamples(out);
    },
  };
}
