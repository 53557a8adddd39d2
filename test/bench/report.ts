// The shape of `npm run bench` output: one JSON document with every figure, its unit, and where the
// issue names a target, the target, the ratio value/target and a pass flag. Benchmarks report;
// they never assert.

export type TargetOp = '>=' | '<=' | '<';

export interface Target {
  op: TargetOp;
  value: number;
  /** Where the target comes from ("issue 2", "issue 3"), or what it means. */
  label?: string;
}

export interface Figure {
  /** null when it could not be measured (see `note`). */
  value: number | null;
  unit: string;
  target?: Target;
  /** value / target.value (for '>=' targets above 1 is good; for '<=' and '<' below 1 is good). */
  ratio?: number;
  pass?: boolean;
  /** A second, harder target (e.g. the 1.5x stretch of issue 2). */
  stretch?: Target & { pass: boolean | null };
  note?: string;
}

export interface ScenarioReport {
  name: string;
  issue: string;
  title: string;
  ok: boolean;
  error?: string;
  durationS: number;
  /** /proc/loadavg before and after (other work on the machine depresses every figure). */
  loadavg: { start: string; end: string };
  params: Record<string, unknown>;
  figures: Record<string, Figure>;
  details: Record<string, unknown>;
}

const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function holds(op: TargetOp, value: number, target: number): boolean {
  if (op === '>=') return value >= target;
  if (op === '<=') return value <= target;
  return value < target;
}

/** A figure; with a target it carries ratio and pass. NaN and undefined become null. */
export function figure(
  value: number | null | undefined,
  unit: string,
  target?: Target,
  extra: { stretch?: Target; note?: string } = {},
): Figure {
  const v = value === undefined || value === null || !Number.isFinite(value) ? null : round(value);
  const f: Figure = { value: v, unit };
  if (target) {
    f.target = target;
    if (v !== null) {
      f.ratio = target.value !== 0 ? round(v / target.value) : v === 0 ? 1 : Number.POSITIVE_INFINITY;
      f.pass = holds(target.op, v, target.value);
    }
  }
  if (extra.stretch)
    f.stretch = {
      ...extra.stretch,
      pass: v === null ? null : holds(extra.stretch.op, v, extra.stretch.value),
    };
  if (extra.note) f.note = extra.note;
  return f;
}

/** A part of a scenario that failed while the rest went on. */
export const errorFigure = (e: unknown): Figure => ({
  value: null,
  unit: '',
  note: `error: ${String((e as Error)?.message ?? e).slice(0, 300)}`,
});

export function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Nearest-rank percentile, p in 0..100. */
export function percentile(xs: readonly number[], p: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}

export const roundAll = (xs: readonly number[], digits = 1): number[] => xs.map((x) => round(x, digits));

/** One line per targeted figure, for the summary at the end of the document. */
export interface SummaryRow {
  scenario: string;
  figure: string;
  value: number | null;
  unit: string;
  target: string;
  pass: boolean | null;
}

export function summarize(reports: readonly ScenarioReport[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const r of reports) {
    if (!r.ok) {
      rows.push({ scenario: r.name, figure: 'error', value: null, unit: '', target: '', pass: null });
      continue;
    }
    for (const [name, f] of Object.entries(r.figures)) {
      if (!f.target && !f.note?.startsWith('error')) continue;
      rows.push({
        scenario: r.name,
        figure: name,
        value: f.value,
        unit: f.unit,
        target: f.target ? `${f.target.op} ${f.target.value}` : (f.note ?? ''),
        pass: f.pass ?? null,
      });
    }
  }
  return rows;
}
