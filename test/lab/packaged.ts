// The app as electron-builder packs it, without Electron: what `files:` in electron-builder.yml
// takes from a build (tsc -p tsconfig.build.json), with only the production dependencies beside
// it. Nothing of the checkout is reachable from it: no .ts sources, no tsx, no dev dependencies.
//
//   const app = await buildPackagedApp();   // ~10 s (tsc)
//   spawn(process.execPath, [join(app.root, 'bin/quicether.js'), '--version']);
//   await app.remove();
//
// The renderer (vite) and the preload (esbuild) are not built here: the browser tests cover the
// renderer, and neither is loaded by the helper or the CLI.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(import.meta.dirname, '../..');
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
/** The helper's native addon as the systemd unit names it (QUICETHER_NATIVE). */
export const NATIVE_ADDON = join(REPO, 'native/build/Release/quicether.node');

export interface PackagedApp {
  /** The app's root (app.asar's content): package.json, bin/, dist/, resources/, node_modules/. */
  root: string;
  native: string;
  remove(): Promise<void>;
}

/** The `files:` patterns of electron-builder.yml, in order ("!" = excluded). */
export async function packagedFilePatterns(): Promise<string[]> {
  const yml = await readFile(join(REPO, 'electron-builder.yml'), 'utf8');
  const out: string[] = [];
  let inFiles = false;
  for (const line of yml.split('\n')) {
    if (/^files:\s*$/.test(line)) inFiles = true;
    else if (inFiles && /^\S/.test(line)) break;
    else if (inFiles) {
      const m = /^\s+-\s+"?([^"#]+?)"?\s*$/.exec(line);
      if (m?.[1]) out.push(m[1]);
    }
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Every file under `root`, relative to it (symlinked node_modules not followed). */
export async function filesUnder(root: string, sub = ''): Promise<string[]> {
  const base = join(root, sub);
  return (await walk(base)).map((p) => p.slice(root.length + 1));
}

/** Whether `rel` (a path inside the app) matches a `files:` glob of the kinds the yml uses. */
function matches(pattern: string, rel: string): boolean {
  if (pattern.startsWith('**/*.')) return rel.endsWith(pattern.slice(4));
  if (pattern.endsWith('/**')) return rel.startsWith(pattern.slice(0, -2));
  return rel === pattern;
}

export async function buildPackagedApp(): Promise<PackagedApp> {
  const dir = await mkdtemp(join(tmpdir(), 'qe-pkg-'));
  const stage = join(dir, 'stage');
  const root = join(dir, 'app');
  try {
    await promisify(execFile)(
      process.execPath,
      [TSC, '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')],
      {
        cwd: REPO,
        timeout: 180_000,
      },
    );
    const patterns = await packagedFilePatterns();
    const wanted = (rel: string) => {
      let take = false;
      for (const p of patterns) {
        if (p.startsWith('!')) {
          if (matches(p.slice(1), rel)) take = false;
        } else if (matches(p, rel)) take = true;
      }
      return take;
    };
    const candidates = [
      ...(await filesUnder(stage, 'dist')).map((rel) => ({ rel, from: join(stage, rel) })),
      ...['package.json', ...(await filesUnder(REPO, 'bin')), ...(await filesUnder(REPO, 'resources'))].map(
        (rel) => ({ rel, from: join(REPO, rel) }),
      ),
    ];
    for (const { rel, from } of candidates) {
      if (!wanted(rel)) continue;
      await mkdir(dirname(join(root, rel)), { recursive: true });
      await cp(from, join(root, rel));
    }
    // Production dependencies only, each linked to the checkout's copy (their own dependencies
    // resolve from there, as npm's hoisted tree would give them).
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of Object.keys(pkg.dependencies)) {
      const to = join(root, 'node_modules', name);
      await mkdir(dirname(to), { recursive: true });
      await symlink(join(REPO, 'node_modules', name), to, 'dir');
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  return { root, native: NATIVE_ADDON, remove: () => rm(dir, { recursive: true, force: true }) };
}
