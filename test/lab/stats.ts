// Reading a running helper's numbers through the real CLI (`quicether watch --json`), as a user
// or a script would.
import type { Tunnel } from './tunnel.ts';

export interface PathRow {
  interface: string;
  state: string;
  /** The helper's smoothed RTT of the path, ms. */
  rttMs: number;
  txBps: number;
  rxBps: number;
  /** Queue-balancing share factor (weighted strategy only). */
  balance?: number;
  /** Wait of the delay equalization for spread packets arriving on this path, ms. */
  equalizeMs?: number;
}

interface Sample {
  counters?: Record<string, number>;
  paths?: PathRow[];
}

type Line = Sample & { sample?: Sample; snapshot?: Sample };

async function lastSample(t: Tunnel, side: 'laptop' | 'gw', intervalMs: number): Promise<Line[]> {
  const out = await t.cli(side, ['watch', '--json', '--count', '1', '--interval', String(intervalMs)]);
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

/** The helper's cumulative data-plane counters (drops by reason, listener counters...). */
export async function helperCounters(t: Tunnel, side: 'laptop' | 'gw'): Promise<Record<string, number>> {
  const lines = await lastSample(t, side, 100);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    const c = l?.counters ?? l?.sample?.counters ?? l?.snapshot?.counters;
    if (c) return c;
  }
  throw new Error('no counters in watch output');
}

/**
 * One counter once it reaches `atLeast`, or its last value after `timeoutMs`. The helper
 * publishes its counters with each stats sample (every SAMPLE_MS, 500 ms), so a read right after
 * the traffic can miss its last packets: a full-tunnel test read 4 of 5 pings that had all been
 * answered.
 */
export async function counterAtLeast(
  t: Tunnel,
  side: 'laptop' | 'gw',
  key: string,
  atLeast: number,
  timeoutMs = 2000,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = (await helperCounters(t, side))[key] ?? 0;
    if (v >= atLeast || Date.now() >= end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One sample of every path of the laptop (or the gateway; rates over the helper's last window). */
export async function pathSamples(
  t: Tunnel,
  intervalMs = 500,
  side: 'laptop' | 'gw' = 'laptop',
): Promise<PathRow[]> {
  const lines = await lastSample(t, side, intervalMs);
  const last = lines[lines.length - 1];
  return last?.paths ?? last?.sample?.paths ?? [];
}
