// One small live chart. Animation is off on every series: a chart that animates each new point
// never settles at 2-4 Hz and burns CPU.
import { memo } from 'react';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export interface SeriesSpec<P> {
  readonly key: keyof P & string;
  readonly name: string;
  readonly color: string;
}

interface Props<P extends { t: number }> {
  readonly data: readonly P[];
  readonly series: readonly SeriesSpec<P>[];
  readonly unit: string;
  readonly kind?: 'line' | 'area';
  readonly height?: number;
  /** Visible window, ms of helper clock. */
  readonly windowMs: number;
  readonly yMax?: number;
}

const fmtTick = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(0) : v.toFixed(1));

function MiniChartImpl<P extends { t: number }>({
  data,
  series,
  unit,
  kind = 'line',
  height = 96,
  windowMs,
  yMax,
}: Props<P>) {
  const last = data.length ? (data[data.length - 1] as P).t : 0;
  const first = data.length ? (data[0] as P).t : 0;
  // Fill the width while history is shorter than the window, then scroll.
  const xDomain: [number, number] = [Math.max(first, last - windowMs), Math.max(last, first + 1)];
  const yDomain: [number, number | 'auto'] = [0, yMax ?? 'auto'];
  const axis = { stroke: 'var(--chart-axis)', fontSize: 11, tickLine: false, axisLine: false } as const;
  const grid = <CartesianGrid vertical={false} stroke="var(--chart-grid)" strokeDasharray="3 3" />;
  const x = <XAxis dataKey="t" type="number" domain={xDomain} allowDataOverflow hide />;
  const y = (
    <YAxis {...axis} width={38} domain={yDomain} tickFormatter={fmtTick} tickCount={3} allowDecimals />
  );
  const tip = (
    <Tooltip
      isAnimationActive={false}
      contentStyle={{
        background: 'var(--surface-2)',
        border: '1px solid var(--border)',
        borderRadius: 8,
        fontSize: 12,
      }}
      labelFormatter={() => ''}
      formatter={(v) => `${typeof v === 'number' ? v.toFixed(2) : String(v)} ${unit}`}
    />
  );
  const rows = data as P[];
  return (
    <div className="mini-chart" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%" minWidth={0} initialDimension={{ width: 320, height }}>
        {kind === 'area' ? (
          <AreaChart data={rows} margin={{ top: 6, right: 6, bottom: 0, left: 0 }}>
            {grid}
            {x}
            {y}
            {tip}
            {series.map((s) => (
              <Area
                key={s.key}
                dataKey={s.key as string}
                name={s.name}
                type="monotone"
                stroke={s.color}
                fill={s.color}
                fillOpacity={0.14}
                strokeWidth={1.6}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </AreaChart>
        ) : (
          <LineChart data={rows} margin={{ top: 6, right: 6, bottom: 0, left: 0 }}>
            {grid}
            {x}
            {y}
            {tip}
            {series.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.name}
                type="monotone"
                stroke={s.color}
                strokeWidth={1.8}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}

export const MiniChart = memo(MiniChartImpl) as typeof MiniChartImpl;
