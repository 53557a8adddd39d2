// A checksummed TCP transfer between the lab's namespaces (through the tunnel when aimed at a
// tunnel address). Both ends hash what they saw; the caller compares.
import { join, resolve } from 'node:path';
import { sleep, spawnIn, waitExit } from './exec.ts';

const DIR = resolve(import.meta.dirname);

export interface TransferResult {
  sent: { bytes: number; sha256: string; ms: number; timeline: number[]; intervalMs: number; error?: string };
  received: { bytes: number; sha256: string; error?: string };
}

/** Sends `bytes` from `fromNs` to `host:port` in `toNs`. Bounded by `timeoutS`. */
export async function tcpTransfer(
  fromNs: string,
  toNs: string,
  host: string,
  port: number,
  bytes: number,
  timeoutS = 120,
  opts: { onStarted?: () => void } = {},
): Promise<TransferResult> {
  const sink = spawnIn(toNs, process.execPath, [
    join(DIR, 'tcp-sink.mjs'),
    host,
    String(port),
    String(timeoutS),
  ]);
  let sinkOut = '';
  sink.stdout?.on('data', (d) => {
    sinkOut += d;
  });
  await new Promise<void>((res) => {
    sink.stderr?.once('data', () => res());
    setTimeout(res, 3000);
  });
  const src = spawnIn(fromNs, process.execPath, [
    join(DIR, 'tcp-source.mjs'),
    host,
    String(port),
    String(bytes),
    '7',
    '500',
  ]);
  let srcOut = '';
  src.stdout?.on('data', (d) => {
    srcOut += d;
  });
  opts.onStarted?.();
  await waitExit(src, timeoutS * 1000);
  await waitExit(sink, 10_000);
  await sleep(10);
  const parse = (s: string, who: string) => {
    try {
      return JSON.parse(s.trim().split('\n').pop() ?? '');
    } catch {
      return { error: `${who} printed nothing`, bytes: 0, sha256: '' };
    }
  };
  return { sent: parse(srcOut, 'source'), received: parse(sinkOut, 'sink') };
}

/** TCP connect times from `fromNs` to `host:port` (a listener in `toNs`), ms; -1 = failed. */
export async function connectTimes(
  fromNs: string,
  toNs: string,
  host: string,
  port: number,
  count: number,
): Promise<number[]> {
  const script = join(DIR, 'tcp-connect.mjs');
  const server = spawnIn(toNs, process.execPath, [script, 'serve', host, String(port), String(count + 20)]);
  try {
    await new Promise<void>((res) => {
      server.stderr?.once('data', () => res());
      setTimeout(res, 3000);
    });
    const client = spawnIn(fromNs, process.execPath, [script, 'time', host, String(port), String(count)]);
    let out = '';
    client.stdout?.on('data', (d) => {
      out += d;
    });
    await waitExit(client, (count + 10) * 1000);
    return JSON.parse(out.trim() || '[]') as number[];
  } finally {
    server.kill();
  }
}
