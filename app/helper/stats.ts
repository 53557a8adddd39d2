// Rate bookkeeping for the control API's samples: the helper keeps its own window (a tick every
// SAMPLE_MS) so any number of subscribers at any interval read the same, cheap numbers.

import type { Millis } from '../core/types.ts';
import type { PathSample, StatsSample } from '../protocol/schema.ts';
import type { PeerSession } from './dataplane/session.ts';

/** Rates are computed over this window; short enough to be live, long enough to be steady. */
export const SAMPLE_MS = 500;

interface Prev {
  tx: number;
  rx: number;
}

export class StatsKeeper {
  private prev = new Map<object, Prev>();
  private lastAt = performance.now();
  private lastCpu = process.cpuUsage();
  private latest: StatsSample = {
    atMs: 0,
    session: 'disconnected',
    paths: [],
    aggregate: { txBps: 0, rxBps: 0 },
    cpuPerCore: [0],
  };

  constructor(
    private readonly sessions: () => Iterable<PeerSession>,
    private readonly sessionState: () => StatsSample['session'],
    private readonly clock: () => Millis,
    private readonly counters: () => Record<string, number> = () => ({}),
  ) {}

  /** Recomputes rates; called every SAMPLE_MS by the helper. */
  tick(): void {
    const now = performance.now();
    const dt = Math.max(1e-3, (now - this.lastAt) / 1000);
    this.lastAt = now;
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    const paths: PathSample[] = [];
    const next = new Map<object, Prev>();
    let aggTx = 0;
    let aggRx = 0;
    for (const s of this.sessions()) {
      let sessionTx = 0;
      for (const link of s.paths.values()) sessionTx += link.counters.txBytes;
      for (const [id, link] of s.paths) {
        const c = link.counters;
        const p = this.prev.get(link) ?? { tx: c.txBytes, rx: c.rxBytes };
        next.set(link, { tx: c.txBytes, rx: c.rxBytes });
        const txBps = ((c.txBytes - p.tx) * 8) / dt;
        const rxBps = ((c.rxBytes - p.rx) * 8) / dt;
        aggTx += txBps;
        aggRx += rxBps;
        const m = s.manager.metrics(id, this.clock());
        const q = link.conn.stats();
        paths.push({
          pathId: id,
          interface: link.iface || 'peer',
          state: s.stateOf(id) ?? 'probing',
          rttMs: finite(m?.srttMs ?? q.rttMs),
          rttVarMs: finite(m?.rttVarMs ?? 0),
          ...(m && Number.isFinite(m.minRttMs) ? { minRttMs: m.minRttMs } : {}),
          loss: Math.min(1, Math.max(0, finite(m?.lossRatio ?? 0))),
          txBps,
          rxBps,
          share: sessionTx > 0 ? c.txBytes / sessionTx : 0,
          cwndBytes: finite(q.cwnd),
          reorderEvents: s.reorder.counters.reordered,
          ...(link.pacer && link.pacer.rate > 0 ? { bulkPaceBps: link.pacer.rate * 8 } : {}),
          ...(link.held && link.held.bytes > 0 ? { heldBytes: link.held.bytes } : {}),
          ...(s.balanceOf(id) !== null ? { balance: s.balanceOf(id) as number } : {}),
          ...(s.equalizeMsOf(id) > 0 ? { equalizeMs: s.equalizeMsOf(id) } : {}),
          ...(s.manager.stalled(id) ? { stalled: true } : {}),
        });
      }
    }
    this.prev = next;
    this.latest = {
      atMs: this.clock(),
      session: this.sessionState(),
      paths,
      aggregate: { txBps: aggTx, rxBps: aggRx },
      cpuPerCore: [Math.min(1, (cpu.user + cpu.system) / 1e6 / dt)],
      counters: this.counters(),
    };
  }

  sample(): StatsSample {
    return this.latest;
  }
}

const finite = (n: number): number => (Number.isFinite(n) && n >= 0 ? n : 0);
