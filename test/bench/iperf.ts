// iperf3 between the lab's namespaces. Bounded: every run has a fixed duration and a hard timeout.
import type { ChildProcess } from 'node:child_process';
import { runIn, sleep, spawnIn, waitExit } from '../lab/exec.ts';

export interface IperfResult {
  mbps: number;
  retransmits: number;
  intervals: number[];
}

export async function startIperfServer(ns: string, bind: string, port = 5201): Promise<ChildProcess> {
  const p = spawnIn(ns, 'iperf3', ['-s', '-B', bind, '-p', String(port), '--one-off']);
  await sleep(300);
  return p;
}

/** Runs one TCP transfer from `ns` to `server` for `seconds`, reporting at `interval` s. */
export async function iperfClient(
  ns: string,
  server: string,
  seconds: number,
  opts: { port?: number; interval?: number; bind?: string; mptcp?: boolean } = {},
): Promise<IperfResult> {
  const args = ['-c', server, '-p', String(opts.port ?? 5201), '-t', String(seconds), '-J'];
  if (opts.interval) args.push('-i', String(opts.interval));
  if (opts.bind) args.push('-B', opts.bind);
  const cmd = opts.mptcp ? 'mptcpize' : 'iperf3';
  const full = opts.mptcp ? ['run', 'iperf3', ...args] : args;
  const out = await runIn(ns, cmd, full, (seconds + 20) * 1000);
  const j = JSON.parse(out) as {
    end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits?: number } };
    intervals: { sum: { bits_per_second: number } }[];
  };
  return {
    mbps: j.end.sum_received.bits_per_second / 1e6,
    retransmits: j.end.sum_sent.retransmits ?? 0,
    intervals: j.intervals.map((i) => i.sum.bits_per_second / 1e6),
  };
}

export async function stopServer(p: ChildProcess): Promise<void> {
  p.kill('SIGTERM');
  await waitExit(p, 3000);
}
