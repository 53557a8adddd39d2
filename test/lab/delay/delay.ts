// Per-path delay and jitter for the lab: the stand-in for `tc netem delay`, which this kernel lacks.
//
// For a path, one nfq-delay process runs in each namespace (laptop and gw) and an iptables-legacy
// mangle/PREROUTING rule sends everything arriving on the path's interface to its NFQUEUE. Each
// end holds packets for half the round trip, so both directions are delayed and a ping across the
// path sees `rttMs` more. Delay is applied after the sender's tbf and the receiver's nft loss rule
// (bottleneck queue first, then propagation).
//
//   const h = await setDelay(lab, 'lte0', { rttMs: 50 });
//   …
//   await h.stop();            // or clearDelay(lab, 'lte0') / clearAllDelays(lab), before lab.destroy()
//
// Measuring: `ping` timestamps replies in the kernel before PREROUTING, so it hides the receive-side
// half; use `ping -U` (user-to-user latency). Release times run ~0.15 ms late per end.
//
// Scope: IPv4 only (iptables, not ip6tables: the lab is IPv4); ARP is not delayed.
//
// Lifetime: the processes are children of this Node process (PR_SET_PDEATHSIG) and exit by
// themselves within ~200 ms of their namespace being deleted, so lab.destroy() without stop()
// leaks nothing; stop() first is still preferred (it removes the rules and releases held packets).
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { run, runIn, tryRun } from '../exec.ts';
import type { Lab } from '../lab.ts';
import { nfqDelayBinary } from './build.ts';

export interface DelaySpec {
  /** Round-trip time added to the path, in ms (each end delays its ingress by half). */
  rttMs: number;
  /**
   * Optional jitter in ms: each one-way delay is rttMs/2 ± jitterMs/2 (uniform), so the added RTT
   * stays within rttMs ± jitterMs. Packets of one flow keep their order (a packet never leaves
   * before an earlier one of its flow), so under load the delay skews towards the upper bound.
   */
  jitterMs?: number;
  /** Allow reordering within a flow when jittering (pure per-packet jitter, like netem). */
  reorder?: boolean;
  /** Packets each end may hold; beyond that the kernel drops (counted in kernelStats). Default 10000. */
  maxQueue?: number;
  /** NFQUEUE number (per namespace). Default 7000 + the path's subnet octet. */
  queueNum?: number;
  /** Seed for the jitter generator (reproducible runs). */
  seed?: number;
}

/** What one nfq-delay process reports when it exits (all counts are packets). */
export interface EndStats {
  received: number;
  released: number;
  droppedFull: number;
  netlinkErrors: number;
  enobufs: number;
  maxHeld: number;
}

/** The kernel's view of one end's queue (/proc/net/netfilter/nfnetlink_queue). */
export interface KernelQueueStats {
  /** Packets currently held (awaiting a verdict). */
  held: number;
  /** Dropped because the queue was full (maxQueue). */
  queueDropped: number;
  /** Dropped because the notification could not be delivered to the process. */
  userDropped: number;
}

export interface DelayHandle {
  readonly path: string;
  readonly spec: Readonly<DelaySpec>;
  /** Process ids of the two ends (laptop, gw). */
  readonly pids: { laptop: number | undefined; gw: number | undefined };
  /** Set when an end exited on its own while the delay was active (the path then drops). */
  error(): Error | null;
  kernelStats(): Promise<{ laptop: KernelQueueStats | null; gw: KernelQueueStats | null }>;
  /** Removes the rules, releases held packets, ends both processes. Idempotent; never throws. */
  stop(): Promise<{ laptop: EndStats | null; gw: EndStats | null }>;
}

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;
const DEFAULT_QUEUE_BASE = 7000;
const DEFAULT_MAX_QUEUE = 10_000;

/** The part of a Lab the delay needs (so lab.ts can wire it in without a cycle). */
export type DelayLab = Pick<Lab, 'laptop' | 'gw' | 'paths'>;

const active = new WeakMap<DelayLab, Map<string, DelayHandle>>();

/** Delays `pathName` of `lab` (replacing any delay already set on it). Requires root. */
export async function setDelay(lab: DelayLab, pathName: string, spec: DelaySpec): Promise<DelayHandle> {
  const path = lab.paths.find((p) => p.name === pathName);
  if (!path) throw new Error(`no lab path named ${pathName}`);
  validate(spec);
  await clearDelay(lab, pathName);

  const bin = await nfqDelayBinary();
  const queue = spec.queueNum ?? DEFAULT_QUEUE_BASE + path.subnet;
  const oneWayUs = Math.round((spec.rttMs * 1000) / 2);
  const jitterUs = Math.round(((spec.jitterMs ?? 0) * 1000) / 2);
  const args = (ns: string, salt: number): string[] => {
    const a = ['--netns', ns, '--queue', String(queue), '--delay-us', String(oneWayUs)];
    a.push('--maxlen', String(spec.maxQueue ?? DEFAULT_MAX_QUEUE));
    if (jitterUs > 0) a.push('--jitter-us', String(jitterUs));
    if (spec.reorder) a.push('--reorder');
    if (spec.seed !== undefined) a.push('--seed', String(spec.seed * 2 + salt + 1));
    return a;
  };
  const rule = ['PREROUTING', '-i', pathName, '-j', 'NFQUEUE', '--queue-num', String(queue)];
  const iptables = (ns: string, op: '-A' | '-D'): string[] => [
    'netns',
    'exec',
    ns,
    'iptables-legacy',
    '-w',
    '-t',
    'mangle',
    op,
    ...rule,
  ];

  const ends: End[] = [];
  let failure: Error | null = null;
  let stopping = false;
  let stopped: Promise<{ laptop: EndStats | null; gw: EndStats | null }> | null = null;

  const handle: DelayHandle = {
    path: pathName,
    spec: { ...spec },
    get pids() {
      return { laptop: ends[0]?.child.pid, gw: ends[1]?.child.pid };
    },
    error: () => failure,
    async kernelStats() {
      return { laptop: await readKernelStats(lab.laptop, queue), gw: await readKernelStats(lab.gw, queue) };
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        // Rules first: from here on packets pass undelayed instead of queueing to a dying process.
        for (const e of ends) if (e.ruled) await tryRun('ip', iptables(e.ns, '-D'));
        const stats = await Promise.all(ends.map((e) => stopEnd(e)));
        if (active.get(lab)?.get(pathName) === handle) active.get(lab)?.delete(pathName);
        return { laptop: stats[0] ?? null, gw: stats[1] ?? null };
      })();
      return stopped;
    },
  };

  try {
    for (const [i, ns] of [lab.laptop, lab.gw].entries()) {
      const end = startEnd(bin, ns, args(ns, i));
      ends.push(end);
      end.child.once('exit', (code, sig) => {
        if (!stopping)
          failure ??= new Error(`nfq-delay in ${ns} exited (${code ?? sig}): ${end.stderr.trim()}`);
      });
    }
    await Promise.all(ends.map((e) => e.ready));
    // Only now add the rules: with no listener bound, NFQUEUE (without --queue-bypass) drops.
    for (const e of ends) {
      await run('ip', iptables(e.ns, '-A'));
      e.ruled = true;
    }
  } catch (e) {
    await handle.stop();
    throw e;
  }
  const perLab = active.get(lab) ?? new Map<string, DelayHandle>();
  active.set(lab, perLab);
  perLab.set(pathName, handle);
  return handle;
}

/** Removes the delay from `pathName` if one is set. */
export async function clearDelay(lab: DelayLab, pathName: string): Promise<void> {
  await active.get(lab)?.get(pathName)?.stop();
}

/** Removes every delay set on `lab` (call before lab.destroy()). */
export async function clearAllDelays(lab: DelayLab): Promise<void> {
  const handles = [...(active.get(lab)?.values() ?? [])];
  await Promise.all(handles.map((h) => h.stop()));
}

/** The active delay on a path, if any. */
export function getDelay(lab: DelayLab, pathName: string): DelayHandle | undefined {
  return active.get(lab)?.get(pathName);
}

interface End {
  ns: string;
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves once the process has exited and its stdio is drained. */
  closed: Promise<void>;
  stdout: string;
  stderr: string;
  ruled: boolean;
}

function startEnd(bin: string, ns: string, args: string[]): End {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const end: End = {
    ns,
    child,
    ready: Promise.resolve(),
    closed: Promise.resolve(),
    stdout: '',
    stderr: '',
    ruled: false,
  };
  end.closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve()); // never spawned: there will be no 'close'
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (end.stderr.length < 8192) end.stderr += d;
  });
  end.ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nfq-delay in ${ns}: not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      end.stdout += d;
      if (end.stdout.startsWith('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`nfq-delay in ${ns} exited (${code ?? sig}) before ready: ${end.stderr.trim()}`));
    });
  });
  end.ready.catch(() => {}); // observed via Promise.all; avoid an unhandled rejection after stop
  return end;
}

async function stopEnd(e: End): Promise<EndStats | null> {
  if (e.child.exitCode === null && e.child.signalCode === null) e.child.kill('SIGTERM');
  const kill = setTimeout(() => e.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await e.closed; // 'close', not 'exit': the stats line may still be in the stdout pipe at 'exit'
  clearTimeout(kill);
  const last = e.stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) return null;
  try {
    return JSON.parse(last) as EndStats;
  } catch {
    return null;
  }
}

async function readKernelStats(ns: string, queue: number): Promise<KernelQueueStats | null> {
  let text: string;
  try {
    text = await runIn(ns, 'cat', ['/proc/net/netfilter/nfnetlink_queue'], 5_000);
  } catch {
    return null;
  }
  // queue_number peer_portid queue_total copy_mode copy_range queue_dropped user_dropped id_sequence 1
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length >= 8 && f[0] === queue)
      return { held: f[2] ?? 0, queueDropped: f[5] ?? 0, userDropped: f[6] ?? 0 };
  }
  return null;
}

function validate(s: DelaySpec): void {
  const ok = (v: number | undefined, max: number) =>
    v === undefined || (Number.isFinite(v) && v >= 0 && v <= max);
  if (!ok(s.rttMs, 60_000)) throw new RangeError(`rttMs out of range: ${s.rttMs}`);
  if (!ok(s.jitterMs, 60_000)) throw new RangeError(`jitterMs out of range: ${s.jitterMs}`);
  if (!ok(s.maxQueue, 10_000_000) || s.maxQueue === 0)
    throw new RangeError(`maxQueue out of range: ${s.maxQueue}`);
  if (!ok(s.queueNum, 65_535)) throw new RangeError(`queueNum out of range: ${s.queueNum}`);
}
