// What a benchmark scenario gets from the runner: run length, progress logging, and labs/tunnels
// whose teardown the runner owns (it runs every registered cleanup, newest first, when the
// scenario ends, fails or overruns its time budget).
import { readFileSync } from 'node:fs';
import { createLab, type Lab, type LabPathSpec } from '../lab/lab.ts';
import { startTunnel, type Tunnel, type TunnelOptions } from '../lab/tunnel.ts';
import type { Figure } from './report.ts';

export interface BenchCtx {
  quick: boolean;
  /** Repetitions of each goodput measurement (median reported). */
  reps: number;
  /** Seconds per goodput transfer. */
  seconds: number;
  log(msg: string): void;
  /** A fresh lab; destroyed by the runner. */
  lab(specs: LabPathSpec[]): Promise<Lab>;
  /** A QuicEther tunnel in `lab`; destroyed (before its lab) by the runner. */
  tunnel(lab: Lab, opts: TunnelOptions): Promise<Tunnel>;
  /** Registers any other teardown. */
  cleanup(fn: () => Promise<unknown>): void;
  /** Throws when the scenario has overrun its budget (checked between steps). */
  checkDeadline(): void;
}

export interface ScenarioOutput {
  params: Record<string, unknown>;
  figures: Record<string, Figure>;
  details: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  issue: string;
  title: string;
  /** Wall-clock budget in seconds (quick, full). */
  budgetS: { quick: number; full: number };
  run(ctx: BenchCtx): Promise<ScenarioOutput>;
}

export const loadavg = (): string => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return '';
  }
};

export class Cleanups {
  private fns: (() => Promise<unknown>)[] = [];
  private closed = false;
  add(fn: () => Promise<unknown>): void {
    // A scenario that overran its budget may still be running; what it creates later is torn
    // down at once.
    if (this.closed) void fn().catch(() => undefined);
    else this.fns.push(fn);
  }
  /** Runs all, newest first, each bounded; never throws. Later additions run immediately. */
  async runAll(): Promise<void> {
    this.closed = true;
    while (this.fns.length > 0) {
      const fn = this.fns.pop();
      if (!fn) continue;
      await Promise.race([fn().catch(() => undefined), new Promise((r) => setTimeout(r, 20_000))]);
    }
  }
}

export function makeCtx(
  opts: { quick: boolean; reps: number; seconds: number; deadline: number },
  cleanups: Cleanups,
  log: (m: string) => void,
  tag: string,
): BenchCtx {
  return {
    ...opts,
    log,
    async lab(specs) {
      const lab = await createLab(specs, tag);
      cleanups.add(() => lab.destroy());
      return lab;
    },
    async tunnel(lab, topts) {
      // QUICETHER_BENCH_TUN_OFFLOAD=0 runs the helpers without TUN offload ([tunnel] offload).
      const offload = process.env.QUICETHER_BENCH_TUN_OFFLOAD !== '0';
      // QUICETHER_BENCH_HC=0 runs them without inner-header compression ([tunnel] header_compression).
      const hc = process.env.QUICETHER_BENCH_HC !== '0' ? [] : ['header_compression = false'];
      const t = await startTunnel(lab, {
        ...topts,
        ...(offload ? {} : { tunOffload: false }),
        laptopTunnel: [...(topts?.laptopTunnel ?? []), ...hc],
        gwTunnel: [...(topts?.gwTunnel ?? []), ...hc],
      });
      cleanups.add(() => t.destroy());
      return t;
    },
    cleanup: (fn) => cleanups.add(fn),
    checkDeadline() {
      if (Date.now() > opts.deadline) throw new Error('scenario overran its time budget');
    },
  };
}
