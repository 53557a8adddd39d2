// scripts/start.mjs (`npm start`): without the Electron binary it explains and exits 1; with one
// (a stand-in executable, through electron's own ELECTRON_OVERRIDE_DIST_PATH) it launches it on
// the repository, whose package.json "main" is the built Electron main, and passes its exit code on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';

const REPO = resolve(import.meta.dirname, '../../..');
const SCRIPT = join(REPO, 'scripts/start.mjs');

function runStart(
  env: Record<string, string>,
  uid?: number,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [SCRIPT], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
}

describe('npm start (scripts/start.mjs)', () => {
  test('no Electron binary: one clear paragraph (how to install, the headless demo) and exit 1', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'qe-no-electron-'));
    try {
      const r = await runStart({ ELECTRON_OVERRIDE_DIST_PATH: empty });
      assert.equal(r.code, 1);
      assert.match(r.err, /Electron is not installed here/);
      assert.match(r.err, /ELECTRON_SKIP_BINARY_DOWNLOAD/);
      assert.match(r.err, /`npm install electron`/);
      assert.match(r.err, /`sudo npm run demo`/);
      assert.equal(r.out, '');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  const built = [
    'dist/electron/main/index.js',
    'dist/renderer/index.html',
    'dist/electron/preload.cjs',
  ].every((p) => existsSync(join(REPO, p)));
  const isRoot = process.getuid?.() === 0;
  /** As root the launch runs as `nobody`, who must be able to reach the repository. */
  const othersCanEnter = (dir: string): boolean =>
    (statSync(dir).mode & 0o001) !== 0 && (dir === dirname(dir) || othersCanEnter(dirname(dir)));
  const launchSkip = !built
    ? 'app not built (npm run build)'
    : isRoot && !othersCanEnter(REPO)
      ? 'root, and `nobody` cannot reach the repository'
      : false;
  test('with an Electron binary and the app built: launches it on the repository and passes its exit code on', {
    skip: launchSkip,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qe-fake-electron-'));
    try {
      chmodSync(dir, 0o755);
      const bin = join(dir, 'electron');
      writeFileSync(bin, '#!/bin/sh\necho "electron-args: $*"\nexit 7\n');
      chmodSync(bin, 0o755);
      // Electron will not run as root, and the script says so: run as `nobody` when we are root.
      const r = await runStart({ ELECTRON_OVERRIDE_DIST_PATH: dir }, isRoot ? 65534 : undefined);
      assert.equal(r.code, 7, r.err);
      assert.match(r.out, new RegExp(`electron-args: ${REPO}$`, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('as root it refuses in one sentence', { skip: isRoot ? false : 'not root' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qe-fake-electron-'));
    try {
      writeFileSync(join(dir, 'electron'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, 'electron'), 0o755);
      const r = await runStart({ ELECTRON_OVERRIDE_DIST_PATH: dir });
      assert.equal(r.code, 1);
      assert.match(r.err, /not root/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
