// Whole-tunnel throughput and how it is split across paths.
import { useMemo } from 'react';
import { formatBps, formatPct } from '../lib/format.ts';
import { useDashboard } from '../state/context.tsx';
import { type AggregatePoint, selectAggregate, selectAggregateNow } from '../state/store.ts';
import { MiniChart, type SeriesSpec } from './mini-chart.tsx';
import { pathColor, WINDOW_MS } from './path-card.tsx';

const SERIES: SeriesSpec<AggregatePoint>[] = [
  { key: 'txMbps', name: 'TX', color: 'var(--tx)' },
  { key: 'rxMbps', name: 'RX', color: 'var(--rx)' },
];

function ShareBar() {
  // A string key keeps this component asleep unless a share or the path set changed.
  const key = useDashboard((s) =>
    s.pathIds
      .map((id) => `${id}|${s.latest[id]?.interface ?? ''}|${(s.latest[id]?.share ?? 0).toFixed(3)}`)
      .join(';'),
  );
  const parts = key
    ? key.split(';').map((p) => {
        const [id, iface, share] = p.split('|');
        return { id: Number(id), iface: iface ?? '', share: Number(share) };
      })
    : [];
  if (parts.length === 0) return <div className="share-empty muted small">No active paths</div>;
  return (
    <div className="share">
      <div className="share-bar" role="img" aria-label="Share of traffic per path">
        {parts.map((p, i) => (
          <span key={p.id} style={{ flexGrow: Math.max(p.share, 0.0001), background: pathColor(i) }} />
        ))}
      </div>
      <ul className="share-legend">
        {parts.map((p, i) => (
          <li key={p.id} data-testid={`share-${p.id}`}>
            <span className="legend-swatch" style={{ background: pathColor(i) }} />
            {p.iface} <strong>{formatPct(p.share)}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function AggregateCard() {
  const now = useDashboard(selectAggregateNow);
  const agg = useDashboard(selectAggregate);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rev is the change signal of the mutable ring
  const data = useMemo(() => agg.ring.toArray(), [agg.rev, agg.ring]);
  return (
    <section className="card aggregate-card" aria-label="Throughput">
      <h2 className="card-title">Throughput</h2>
      <div className="big-figures">
        <div>
          <div className="big-label">
            <span className="legend-dot tx" /> Upload
          </div>
          <div className="big-value" data-testid="agg-tx">
            {formatBps(now.txBps)}
          </div>
        </div>
        <div>
          <div className="big-label">
            <span className="legend-dot rx" /> Download
          </div>
          <div className="big-value" data-testid="agg-rx">
            {formatBps(now.rxBps)}
          </div>
        </div>
      </div>
      <MiniChart data={data} series={SERIES} unit="Mbit/s" windowMs={WINDOW_MS} height={110} />
      <ShareBar />
    </section>
  );
}
