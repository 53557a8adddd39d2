// The existing micro-benchmarks (loopback, no lab): udp-batch.ts (native recvmmsg/sendmmsg vs
// node:dgram) and quic-dgram.ts (quiche DATAGRAMs, two connections in one process; once with GC
// left to V8, once with send-gc.ts pacing minor GCs), each run as a bounded child process; their
// JSON goes into the report as is.
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
  type Dgram = {
    mbitPerSec?: number;
    datagramsPerSec?: number;
    minorGcP90Ms?: number | null;
    minorGcMaxMs?: number | null;
  };
  let v8: Dgram | null = null;
  try {
    ctx.log('  quic-dgram (5 s, GC left to V8)');
    v8 = (await child('test/bench/quic-dgram.ts', ['cubic', '64', 'v8', '5'], 40_000)) as Dgram;
    details.quicDgram = v8;
    figures.quicDgramMbps = figure(v8.mbitPerSec, 'Mbit/s', undefined, {
      note: '1300-byte DATAGRAMs, both connections in one process',
    });
    figures.quicDgramPerSec = figure(v8.datagramsPerSec, 'datagrams/s');
    figures.quicDgramMinorGcP90Ms = figure(v8.minorGcP90Ms, 'ms', undefined, {
      note: "young-generation pauses, 90th percentile: every sent packet leaves one weak handle (the binding's SendInfo.at)",
    });
    figures.quicDgramMinorGcMaxMs = figure(v8.minorGcMaxMs, 'ms');
  } catch (e) {
    figures.quicDgramError = errorFigure(e);
  }
  ctx.checkDeadline();
  try {
    ctx.log('  quic-dgram (5 s, minor GC paced by packets sent, send-gc.ts)');
    const paced = (await child('test/bench/quic-dgram.ts', ['cubic', '64', 'paced', '5'], 40_000)) as Dgram;
    details.quicDgramPacedGc = paced;
    figures.quicDgramPacedGcMinorGcP90Ms = figure(paced.minorGcP90Ms, 'ms');
    figures.quicDgramPacedGcMinorGcMaxMs = figure(paced.minorGcMaxMs, 'ms');
    const ratio = (a: number | null | undefined, b: number | null | undefined) =>
      typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
    figures.pacedGcP90PauseVsV8 = figure(ratio(paced.minorGcP90Ms, v8?.minorGcP90Ms), 'x', {
      op: '<=',
      value: 0.5,
      label: 'issue 3 (latency tail): young-GC pauses (p90) at most half as long as when V8 paces them',
    });
    figures.pacedGcRateVsV8 = figure(ratio(paced.datagramsPerSec, v8?.datagramsPerSec), 'x', {
      op: '>=',
      value: 0.9,
      label: 'the extra collections cost under 10 % of the in-process datagram rate',
    });
  } catch (e) {
    figures.quicDgramPacedGcError = errorFigure(e);
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
  title: 'udp-batch (native vs dgram UDP) and quic-dgram (quiche DATAGRAM, GC by V8 and paced) on loopback',
  budgetS: { quick: 75, full: 105 },
  run: micro,
};
