// `npm run bench [-- SCENARIO... | GROUP...] [--quick] [--reps N] [--seconds S] [--out DIR]`
//
// Runs the lab benchmarks of issues 2 and 3 (and the loopback micro-benchmarks), each scenario in
// its own fresh lab, torn down whatever happens, within a time budget. Prints progress on stderr
// and ONE JSON document on stdout, also written to bench-results/bench-<timestamp>.json.
// A failing scenario is recorded as {ok: false, error} and the run goes on. Nothing is asserted.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { isRoot } from '../lab/exec.ts';
import { Cleanups, loadavg, makeCtx, type Scenario } from './context.ts';
import { type ScenarioReport, summarize } from './report.ts';
import { aggregate2x100, aggregateRtt, aggregateUnequal } from './scenarios/aggregate.ts';
import { pathKill, roam1, roam2 } from './scenarios/disruption.ts';
import { latencyP99, redundantLoss } from './scenarios/interactive.ts';
import { microBench } from './scenarios/micro.ts';
import { tunnel100, tunnelUnshaped } from './scenarios/single-path.ts';

const REPO = resolve(import.meta.dirname, '../..');
const SCENARIOS: Scenario[] = [
  tunnelUnshaped,
  tunnel100,
  aggregate2x100,
  aggregateRtt,
  aggregateUnequal,
  pathKill,
  roam2,
  roam1,
  latencyP99,
  redundantLoss,
  microBench,
];
const GROUPS: Record<string, string[]> = {
  all: SCENARIOS.map((s) => s.name),
  issue2: ['tunnel', 'tunnel100'],
  issue3: [
    'aggregate',
    'aggregate-rtt',
    'aggregate-unequal',
    'failover',
    'roaming',
    'roaming1',
    'latency',
    'redundant',
  ],
};

const USAGE = `usage: npm run bench -- [SCENARIO|GROUP ...] [--quick] [--reps N] [--seconds S] [--out DIR]
  scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}
  groups:    ${Object.keys(GROUPS).join(', ')} (default: all)
  --quick    3 s transfers, 1 repetition, shorter probes (validating the harness)
  --list     print the scenarios and exit`;

interface Options {
  names: string[];
  quick: boolean;
  reps: number;
  seconds: number;
  outDir: string;
}

function parseArgs(argv: string[]): Options {
  const names: string[] = [];
  let quick = false;
  let reps: number | undefined;
  let seconds: number | undefined;
  let outDir = join(REPO, 'bench-results');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--quick') quick = true;
    else if (a === '--reps') reps = Number(argv[++i]);
    else if (a === '--seconds') seconds = Number(argv[++i]);
    else if (a === '--out') outDir = resolve(argv[++i] ?? outDir);
    else if (a === '--help' || a === '-h') {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a === '--list') {
      for (const s of SCENARIOS)
        process.stderr.write(`${s.name.padEnd(14)} ${s.issue.padEnd(17)} ${s.title}\n`);
      process.exit(0);
    } else if (GROUPS[a]) names.push(...(GROUPS[a] as string[]));
    else if (SCENARIOS.some((s) => s.name === a)) names.push(a);
    else {
      process.stderr.write(`unknown scenario or option: ${a}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  const r = reps ?? (quick ? 1 : 3);
  const s = seconds ?? (quick ? 3 : 8);
  if (!(r >= 1 && r <= 20) || !(s >= 1 && s <= 60)) {
    process.stderr.write(`--reps must be 1..20 and --seconds 1..60\n`);
    process.exit(2);
  }
  const unique = [...new Set(names.length ? names : (GROUPS.all as string[]))];
  return { names: unique, quick, reps: r, seconds: s, outDir };
}

const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (m: string): void => void process.stderr.write(`[bench ${elapsed()}] ${m}\n`);

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (e) {
    const out = (e as { stdout?: string; stderr?: string }).stdout || (e as { stderr?: string }).stderr || '';
    return String(out).trim() || 'unavailable';
  }
}

let current: Cleanups | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: tearing down the current lab`);
    void (current?.runAll() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function runScenario(s: Scenario, o: Options): Promise<ScenarioReport> {
  const budgetS = o.quick ? s.budgetS.quick : s.budgetS.full;
  // Longer transfers than the default stretch the budget proportionally.
  const budgetMs = budgetS * 1000 * Math.max(1, (o.seconds * o.reps) / (o.quick ? 3 : 24));
  const cleanups = new Cleanups();
  current = cleanups;
  const start = Date.now();
  const la = loadavg();
  log(
    `${s.name}: ${s.title} (budget ${Math.round(budgetMs / 1000)} s, load ${la.split(' ').slice(0, 3).join(' ')})`,
  );
  const ctx = makeCtx(
    { quick: o.quick, reps: o.reps, seconds: o.seconds, deadline: start + budgetMs },
    cleanups,
    log,
    'bn',
  );
  let timer: NodeJS.Timeout | undefined;
  const base = { name: s.name, issue: s.issue, title: s.title };
  try {
    if (s.name !== 'micro' && !isRoot()) throw new Error('needs root (network namespaces)');
    const out = await Promise.race([
      s.run(ctx),
      new Promise<never>((_, rej) => {
        timer = setTimeout(
          () => rej(new Error(`timed out after ${Math.round(budgetMs / 1000)} s`)),
          budgetMs + 5000,
        );
      }),
    ]);
    return { ...base, ok: true, durationS: 0, loadavg: { start: la, end: loadavg() }, ...out };
  } catch (e) {
    const msg = String((e as Error)?.message ?? e).slice(0, 4000);
    log(`${s.name}: ERROR ${msg.split('\n')[0]}`);
    return {
      ...base,
      ok: false,
      error: msg,
      durationS: 0,
      loadavg: { start: la, end: loadavg() },
      params: {},
      figures: {},
      details: {},
    };
  } finally {
    clearTimeout(timer);
    await cleanups.runAll();
    current = null;
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  log(`scenarios: ${o.names.join(', ')}; ${o.quick ? 'quick, ' : ''}${o.reps} rep(s) x ${o.seconds} s`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    iperf3: sh('iperf3', ['--version']).split('\n')[0],
    wireguardGo: sh('dpkg-query', ['-W', 'wireguard-go']).split('\t')[1] ?? 'unknown',
    loadavgStart: loadavg(),
    loadavgEnd: '',
  };
  const git = {
    commit: sh('git', ['rev-parse', 'HEAD']),
    dirtyFiles: sh('git', ['status', '--porcelain']).split('\n').filter(Boolean).length,
  };
  const reports: ScenarioReport[] = [];
  for (const name of o.names) {
    const s = SCENARIOS.find((x) => x.name === name);
    if (!s) continue;
    const t = Date.now();
    const r = await runScenario(s, o);
    r.durationS = Math.round((Date.now() - t) / 100) / 10;
    reports.push(r);
    for (const row of summarize([r]))
      log(
        `  = ${row.figure}: ${row.value ?? '-'} ${row.unit} (target ${row.target}) ${row.pass === null ? '' : row.pass ? 'PASS' : 'MISS'}`,
      );
  }
  machine.loadavgEnd = loadavg();
  const doc = {
    bench: 'quicether',
    schema: 1,
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - t0) / 100) / 10,
    options: { scenarios: o.names, quick: o.quick, reps: o.reps, seconds: o.seconds },
    machine,
    git,
    howToRead:
      'figures: {value, unit, target?: {op, value, label}, ratio = value/target, pass}; summary lists every targeted figure. Numbers are depressed when machine.loadavg* is high (2 cores, shared).',
    summary: summarize(reports),
    scenarios: Object.fromEntries(reports.map((r) => [r.name, r])),
  };
  const json = JSON.stringify(doc, null, 2);
  mkdirSync(o.outDir, { recursive: true });
  const file = join(o.outDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${json}\n`);
  process.stdout.write(`${json}\n`);
  log(`done in ${elapsed()}; written to ${file}`);
}

main().catch((e: unknown) => {
  log(`fatal: ${String((e as Error)?.stack ?? e)}`);
  process.exit(1);
});
