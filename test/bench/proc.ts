// CPU accounting for benchmarks: CPU seconds per wall second of a process (and its threads),
// read from /proc/PID/stat (utime + stime, in clock ticks).
import { readFileSync } from 'node:fs';
import { run } from '../lab/exec.ts';

const TICKS_PER_SEC = 100; // sysconf(_SC_CLK_TCK) is 100 on every Linux this runs on

export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SEC;
  } catch {
    return Number.NaN;
  }
}

/** Starts measuring; `stop()` returns cores used (CPU s / wall s) over the interval. */
export function cpuMeter(pid: number): { stop(): number } {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  return {
    stop() {
      const dt = (performance.now() - t0) / 1000;
      return dt > 0 ? (cpuSeconds(pid) - c0) / dt : Number.NaN;
    },
  };
}

/** Resident set size in MiB. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Process ids inside a network namespace whose command name (/proc/PID/comm) is `comm`. */
export async function pidsInNs(ns: string, comm: string): Promise<number[]> {
  const out = await run('ip', ['netns', 'pids', ns]).catch(() => '');
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    });
}

/** Busy CPU time of the whole machine (all cores), in seconds, from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return (total - idle) / TICKS_PER_SEC;
  } catch {
    return Number.NaN;
  }
}
