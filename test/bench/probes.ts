// Interactive-traffic probes for the benchmarks: ping (per-reply RTTs, loss) and one-way small UDP
// (loss, duplicates) between the lab's namespaces. Every probe is bounded by count and time.
import { join, resolve } from 'node:path';
import { CommandError, runIn, spawnIn, waitExit } from '../lab/exec.ts';

const DIR = resolve(import.meta.dirname);

export interface PingResult {
  sent: number;
  received: number;
  lossPct: number;
  rttsMs: number[];
}

/**
 * `ping -U` (user-to-user time: the lab's NFQUEUE delay is applied after the kernel's receive
 * timestamp, so plain ping would hide half of it) from `ns` to `dst`.
 */
export async function ping(ns: string, dst: string, count: number, intervalS: number): Promise<PingResult> {
  let out: string;
  try {
    out = await runIn(
      ns,
      'ping',
      ['-U', '-n', '-c', String(count), '-i', String(intervalS), '-W', '2', dst],
      (count * intervalS + 15) * 1000,
    );
  } catch (e) {
    out = e instanceof CommandError ? e.stdout : '';
  }
  const rttsMs = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  const tx = /(\d+) packets transmitted, (\d+) received/.exec(out);
  const sent = tx ? Number(tx[1]) : count;
  const received = tx ? Number(tx[2]) : rttsMs.length;
  return { sent, received, lossPct: sent > 0 ? (100 * (sent - received)) / sent : 100, rttsMs };
}

export interface UdpLossResult {
  sent: number;
  distinct: number;
  duplicates: number;
  reordered: number;
  lossPct: number;
}

/** Sends `count` sequence-numbered datagrams from `fromNs` to `host:port` in `toNs`. */
export async function udpLoss(
  fromNs: string,
  toNs: string,
  host: string,
  port: number,
  count: number,
  intervalMs: number,
  size = 64,
): Promise<UdpLossResult> {
  const timeoutS = Math.ceil((count * intervalMs) / 1000) + 4;
  const rx = spawnIn(toNs, process.execPath, [
    join(DIR, 'udp-probe.mjs'),
    'recv',
    host,
    String(port),
    String(count),
    String(timeoutS),
  ]);
  let rxOut = '';
  rx.stdout?.on('data', (d) => {
    rxOut += d;
  });
  await new Promise<void>((res) => {
    rx.stderr?.once('data', () => res());
    setTimeout(res, 3000);
  });
  let sent = 0;
  try {
    const out = await runIn(
      fromNs,
      process.execPath,
      [
        join(DIR, 'udp-probe.mjs'),
        'send',
        host,
        String(port),
        String(count),
        String(intervalMs),
        String(size),
      ],
      (timeoutS + 10) * 1000,
    );
    sent = (JSON.parse(out.trim()) as { sent: number }).sent;
  } finally {
    await waitExit(rx, (timeoutS + 5) * 1000);
  }
  const r = JSON.parse(rxOut.trim() || '{"distinct":0,"duplicates":0,"reordered":0}') as Omit<
    UdpLossResult,
    'sent' | 'lossPct'
  >;
  return { ...r, sent, lossPct: sent > 0 ? (100 * (sent - r.distinct)) / sent : 100 };
}
