// Steady traffic through a lab tunnel for dashboards and demos: a supervisor that keeps one child
// process running (restarting it when it ends, e.g. after a helper restart took its route away)
// until stopped or until its deadline, plus two ready-made sources: a bounded ping flood and a
// paced UDP stream with its sink. Everything is bounded in time; `stop()` goes in a finally.
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { spawnIn, waitExit } from './exec.ts';

const UDP_STREAM = join(resolve(import.meta.dirname), 'udp-stream.mjs');

export interface Supervised {
  /** How many times the child was started. */
  readonly starts: number;
  stop(): Promise<void>;
}

export interface KeepOptions {
  /** Nothing is (re)started after this many ms from now. */
  maxMs: number;
  /** Pause before a restart (bounds the restart rate if the child dies at once). */
  restartPauseMs?: number;
}

/** Runs `start()` and runs it again whenever its child exits, until stop() or the deadline. */
export function keepRunning(start: (remainingS: number) => ChildProcess, opts: KeepOptions): Supervised {
  const deadline = Date.now() + opts.maxMs;
  const pause = opts.restartPauseMs ?? 500;
  let child: ChildProcess | null = null;
  let stopped = false;
  let starts = 0;
  let timer: NodeJS.Timeout | null = null;
  const launch = () => {
    timer = null;
    const remainingS = Math.floor((deadline - Date.now()) / 1000);
    if (stopped || remainingS < 1) return;
    starts++;
    const c = start(remainingS);
    child = c;
    c.stdout?.resume();
    c.stderr?.resume();
    c.once('exit', () => {
      if (child === c) child = null;
      if (!stopped) timer = setTimeout(launch, pause);
    });
  };
  launch();
  return {
    get starts() {
      return starts;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await waitExit(c, 3_000);
      }
    },
  };
}

export interface PingFloodOptions {
  maxSeconds: number;
  /** Seconds between echo requests (root may go below 0.2). Default 0.01 = 100/s. */
  intervalS?: number;
  /** ICMP payload bytes. Default 1000 (about 0.8 Mbit/s each way at 100/s). */
  size?: number;
}

/** A bounded ping flood from `ns` to `host` (through the tunnel when `host` is a tunnel address). */
export function pingFlood(ns: string, host: string, o: PingFloodOptions): Supervised {
  return keepRunning(
    (remainingS) =>
      spawnIn(ns, 'ping', [
        '-q',
        '-i',
        String(o.intervalS ?? 0.01),
        '-s',
        String(o.size ?? 1000),
        '-W',
        '1',
        '-w',
        String(remainingS),
        host,
      ]),
    { maxMs: o.maxSeconds * 1000 },
  );
}

export interface UdpStreamOptions {
  fromNs: string;
  toNs: string;
  /** Destination address as seen from `fromNs` (e.g. the far end's tunnel address). */
  host: string;
  port: number;
  kbps: number;
  maxSeconds: number;
}

/** A paced UDP stream and its sink; each is restarted if it ends before the deadline. */
export function udpStream(o: UdpStreamOptions): Supervised {
  const opts = { maxMs: o.maxSeconds * 1000 };
  const sink = keepRunning(
    (s) => spawnIn(o.toNs, process.execPath, [UDP_STREAM, 'sink', String(o.port), String(s)]),
    opts,
  );
  const send = keepRunning(
    (s) =>
      spawnIn(o.fromNs, process.execPath, [
        UDP_STREAM,
        'send',
        o.host,
        String(o.port),
        String(o.kbps),
        String(Math.min(s, 3600)),
      ]),
    opts,
  );
  return {
    get starts() {
      return send.starts;
    },
    async stop() {
      await Promise.all([send.stop(), sink.stop()]);
    },
  };
}
