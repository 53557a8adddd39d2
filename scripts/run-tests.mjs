#!/usr/bin/env node
// Runs every test file under test/ (or only the named subfolders: `node scripts/run-tests.mjs unit sim`)
// with Node's own test runner and tsx. Node 20's --test does not expand globs, so we list files here.
// Lab tests (integration, e2e) need root and network namespaces; they skip themselves where absent.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2);
const dirs = (roots.length ? roots : ['unit', 'sim', 'integration', 'e2e']).map((d) => join('test', d));
const files = [];
const walk = (dir) => {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.test\.tsx?$/.test(name)) files.push(p);
  }
};
for (const d of dirs) walk(d);
if (files.length === 0) {
  console.error('no test files found under', dirs.join(', '));
  process.exit(1);
}
// Lab tests share the kernel's namespaces and both cores: run files one at a time, so a noisy
// neighbour never makes a behavioural assertion flaky.
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env } });
process.exit(r.status ?? 1);
