// The existing micro-benchmarks (loopback, no lab): udp-batch.ts (native recvmmsg/sendmmsg vs
// node:dgram) and quic-dgram.ts (quiche DATAGRAMs, two connections in one process), each run as a
// bounded child process; their JSON goes into the report as is.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { BenchCtx, Scenario, ScenarioOutput } from '../context.ts';
import { errorFigure, type Figure, figure } from '../report.ts';

const REPO = resolve(import.meta.dirname, '../../..');

function child(file: string, args: string[], timeoutMs: number): Promise<unknown> {
  return new Promise((res, rej) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file, ...args],
      { cwd: REPO, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err) return rej(new Error(`${file}: ${err.message} ${String(stderr).slice(-300)}`));
        const text = String(stdout).trim();
        try {
          res(JSON.parse(text));
        } catch {
          try {
            res(JSON.parse(text.split('\n').pop() ?? ''));
          } catch {
            rej(new Error(`${file} printed no JSON: ${text.slice(-300)}`));
          }
        }
      },
    );
  });
}

async function micro(ctx: BenchCtx): Promise<ScenarioOutput> {
  const figures: Record<string, Figure> = {};
  const details: Record<string, unknown> = {};
  const udpSeconds = ctx.quick ? 1 : 2;
  try {
    ctx.log(`  udp-batch (${udpSeconds} s per case)`);
    const u = (await child('test/bench/udp-batch.ts', [String(udpSeconds)], 60_000)) as Record<
      string,
      { packetsPerSec?: number; mbitPerSec?: number } | number | string
    >;
    details.udpBatch = u;
    const pps = (k: string) => {
      const v = u[k];
      return typeof v === 'object' ? v.packetsPerSec : undefined;
    };
    figures.udpNativePumpPps = figure(pps('nativePump'), 'packets/s');
    figures.udpDgramPumpPps = figure(pps('dgramPump'), 'packets/s');
    figures.udpNativeSyncPps = figure(pps('nativeSync'), 'packets/s');
  } catch (e) {
    figures.udpBatchError = errorFigure(e);
  }
  ctx.checkDeadline();
  try {
    ctx.log('  quic-dgram (5 s)');
    const q = (await child('test/bench/quic-dgram.ts', [], 40_000)) as {
      mbitPerSec?: number;
      datagramsPerSec?: number;
    };
    details.quicDgram = q;
    figures.quicDgramMbps = figure(q.mbitPerSec, 'Mbit/s', undefined, {
      note: '1300-byte DATAGRAMs, both connections in one process',
    });
    figures.quicDgramPerSec = figure(q.datagramsPerSec, 'datagrams/s');
  } catch (e) {
    figures.quicDgramError = errorFigure(e);
  }
  return {
    params: { udpBatchSecondsPerCase: udpSeconds, where: 'loopback, one process each' },
    figures,
    details,
  };
}

export const microBench: Scenario = {
  name: 'micro',
  issue: 'micro-benchmarks',
  title: 'udp-batch (native vs dgram UDP) and quic-dgram (quiche DATAGRAM) on loopback',
  budgetS: { quick: 60, full: 90 },
  run: micro,
};
