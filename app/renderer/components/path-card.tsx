// One path: its figures and three live charts. Subscribes to its own path's slices only.
import { memo, useMemo } from 'react';
import { formatBps, formatBytes, formatMs, formatPct } from '../lib/format.ts';
import { KindIcon } from '../lib/icons.tsx';
import { useDashboard } from '../state/context.tsx';
import { type PathPoint, selectPathLatest, selectPathSeries } from '../state/store.ts';
import { MiniChart, type SeriesSpec } from './mini-chart.tsx';

export const PATH_COLORS = ['var(--path-1)', 'var(--path-2)', 'var(--path-3)', 'var(--path-4)'];
export const pathColor = (index: number) => PATH_COLORS[index % PATH_COLORS.length] as string;

/** Chart window: the last three minutes. */
export const WINDOW_MS = 180_000;

const RTT: SeriesSpec<PathPoint>[] = [{ key: 'rttMs', name: 'RTT', color: 'var(--accent)' }];
const LOSS: SeriesSpec<PathPoint>[] = [{ key: 'lossPct', name: 'Loss', color: 'var(--danger)' }];
const THROUGHPUT: SeriesSpec<PathPoint>[] = [
  { key: 'txMbps', name: 'TX', color: 'var(--tx)' },
  { key: 'rxMbps', name: 'RX', color: 'var(--rx)' },
];

const Figures = memo(function Figures({ pathId }: { pathId: number }) {
  const p = useDashboard(selectPathLatest(pathId));
  if (!p) return null;
  return (
    <dl className="figures" data-testid={`path-figures-${pathId}`}>
      <div>
        <dt>RTT</dt>
        <dd data-testid={`path-rtt-${pathId}`}>{formatMs(p.rttMs)}</dd>
        <dd className="sub">±{formatMs(p.rttVarMs)}</dd>
      </div>
      <div>
        <dt>Loss</dt>
        <dd data-testid={`path-loss-${pathId}`}>{formatPct(p.lossRatio)}</dd>
        <dd className="sub">{p.reorderEvents} reorders</dd>
      </div>
      <div>
        <dt>Share</dt>
        <dd>{formatPct(p.share)}</dd>
        <dd className="sub">cwnd {formatBytes(p.cwnd)}</dd>
      </div>
      <div>
        <dt>Upload</dt>
        <dd data-testid={`path-tx-${pathId}`}>{formatBps(p.txBps)}</dd>
      </div>
      <div>
        <dt>Download</dt>
        <dd data-testid={`path-rx-${pathId}`}>{formatBps(p.rxBps)}</dd>
      </div>
    </dl>
  );
});

function Charts({ pathId }: { pathId: number }) {
  const series = useDashboard(selectPathSeries(pathId));
  // `rev` changes on every push to this path's ring; the array is rebuilt only then.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rev is the change signal of the mutable ring
  const data = useMemo(() => series?.ring.toArray() ?? [], [series?.rev, series?.ring]);
  return (
    <div className="path-charts">
      <div className="chart-block">
        <div className="chart-label">RTT (ms)</div>
        <MiniChart data={data} series={RTT} unit="ms" windowMs={WINDOW_MS} />
      </div>
      <div className="chart-block">
        <div className="chart-label">Loss (%)</div>
        <MiniChart data={data} series={LOSS} unit="%" kind="area" windowMs={WINDOW_MS} />
      </div>
      <div className="chart-block">
        <div className="chart-label">
          Throughput (Mbit/s) <span className="legend-dot tx" /> TX <span className="legend-dot rx" /> RX
        </div>
        <MiniChart data={data} series={THROUGHPUT} unit="Mbit/s" windowMs={WINDOW_MS} />
      </div>
    </div>
  );
}

export const PathCard = memo(function PathCard({ pathId, index }: { pathId: number; index: number }) {
  const iface = useDashboard((s) => s.latest[pathId]?.interface ?? '');
  const state = useDashboard((s) => s.latest[pathId]?.state ?? 'probing');
  const stalled = useDashboard((s) => s.latest[pathId]?.stalled === true);
  const kind = useDashboard((s) => s.snapshot?.interfaces.find((i) => i.name === iface)?.kind ?? 'other');
  return (
    <section
      className="card path-card"
      aria-label={`Path ${pathId}`}
      data-testid={`path-${pathId}`}
      data-interface={iface}
    >
      <header className="path-head">
        <span className="path-swatch" style={{ background: pathColor(index) }} />
        <KindIcon kind={kind} />
        <h3 className="path-name">
          {iface} <span className="muted small">path {pathId}</span>
        </h3>
        <span className={`chip chip-${state}`} data-testid={`path-state-${pathId}`}>
          {state}
        </span>
        {stalled && (
          <span
            className="chip chip-stalled"
            data-testid={`path-stalled-${pathId}`}
            title="Nothing sent on this path is being answered. QuicEther sends on the other paths until this one answers again or is marked failed."
          >
            no answer
          </span>
        )}
      </header>
      <Figures pathId={pathId} />
      <Charts pathId={pathId} />
    </section>
  );
});
