// CPU accounting for benchmarks: CPU seconds per wall second of a process (and its threads),
// read from /proc/PID/stat (utime + stime, in clock ticks).
import { readFileSync } from 'node:fs';

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
