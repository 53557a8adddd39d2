// The packaged app runs: what electron-builder.yml packs (compiled dist/, bin/, production
// dependencies; no .ts sources, no tsx) must hold a CLI and a helper that start, and the helper
// the systemd unit names must carry a tunnel. Before this test the unit named a
// bin/quicether-helper.js that did not exist, and the compiled CLI could not find its helper
// ("this build has no helper"): an installed deb had no way to start its data plane.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import { CommandError, isRoot, pingLoss, run } from '../lab/exec.ts';
import { createLab } from '../lab/lab.ts';
import { buildPackagedApp, filesUnder, NATIVE_ADDON, type PackagedApp } from '../lab/packaged.ts';
import { GW_TUN, startTunnel, type Tunnel, waitForPaths } from '../lab/tunnel.ts';

const REPO = resolve(import.meta.dirname, '../..');

/** Runs a packaged script (it lives outside the checkout) with plain Node; never throws. */
async function runPackaged(
  script: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  try {
    return { code: 0, out: await run(process.execPath, [script, ...args]), err: '' };
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    return { code: e.code ?? -1, out: e.stdout, err: e.stderr };
  }
}

/** Module specifiers a compiled file imports (static, re-exports, literal dynamic imports). */
function importsOf(js: string): string[] {
  return ts.preProcessFile(js, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * bin/load-cli.js imports tsx only when the TypeScript sources are beside it (a checkout); the
 * package has none, and the CLI test below runs it where tsx cannot resolve.
 */
const DEV_ONLY = new Set(['bin/load-cli.js: tsx/esm/api']);

const packageName = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('the packaged app (electron-builder.yml files, compiled, production dependencies)', () => {
  let app: PackagedApp;
  before(async () => {
    app = await buildPackagedApp();
  });
  after(async () => {
    await app?.remove();
  });

  test('holds no TypeScript source and imports only what it ships', async () => {
    const files = await filesUnder(app.root, 'dist');
    files.push(...(await filesUnder(app.root, 'bin')));
    assert.ok(
      files.includes('dist/app/helper/main.js') && files.includes('dist/app/cli/main.js'),
      files.join(' '),
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith('.ts')),
      [],
    );
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    for (const rel of files.filter((f) => f.endsWith('.js'))) {
      for (const spec of importsOf(await readFile(join(app.root, rel), 'utf8'))) {
        if (spec.startsWith('.')) {
          if (!existsSync(resolve(app.root, dirname(rel), spec))) wrong.push(`${rel}: ${spec} (not packed)`);
        } else if (spec.startsWith('node:') || builtins.has(spec)) {
        } else if (spec === 'electron') {
          if (!rel.startsWith('dist/electron/')) wrong.push(`${rel}: electron outside the main process`);
        } else if (!(packageName(spec) in pkg.dependencies) && !DEV_ONLY.has(`${rel}: ${spec}`))
          wrong.push(`${rel}: ${spec} (not a dependency)`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('the CLI runs from dist with plain Node', async () => {
    const version = await runPackaged(join(app.root, 'bin/quicether.js'), ['--version']);
    assert.equal(version.code, 0, version.err);
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.out.trim(), pkg.version);
    const status = await runPackaged(join(app.root, 'bin/quicether.js'), [
      'status',
      '--socket',
      join(app.root, 'no-such.sock'),
    ]);
    assert.equal(status.code, 3, `${status.out}${status.err}`);
    assert.match(status.err, /the helper is not running/);
  });

  test('the helper the systemd unit starts exists and loads the helper', async () => {
    const unit = await readFile(join(REPO, 'resources/linux/quicether-helper.service'), 'utf8');
    const exec = /^ExecStart=(\S+)\s+(\S+)/m.exec(unit);
    const script = exec?.[2]?.split('/app.asar/')[1];
    assert.ok(script, `no script inside app.asar in ExecStart: ${exec?.[0]}`);
    const path = join(app.root, script);
    assert.ok(existsSync(path), `${script} is not in the package`);
    const missing = join(app.root, 'missing.toml');
    const r = await runPackaged(path, ['--config', missing]);
    // The config loader's own message: the helper's whole module graph loaded to get there.
    assert.equal(r.code, 1, `${r.out}${r.err}`);
    assert.match(r.err, /the helper stopped: .*missing\.toml: cannot read config/);
  });

  test('two packaged helpers carry a tunnel', {
    skip: !isRoot() && 'needs root (network namespaces)',
  }, async (t) => {
    if (!existsSync(NATIVE_ADDON)) return t.skip('native addon not built');
    const lab = await createLab(undefined, 'pk');
    let tun: Tunnel | undefined;
    try {
      tun = await startTunnel(lab, {
        laptopMultipath: ['mode = "aggregate"'],
        packaged: { root: app.root, native: app.native },
      });
      const status = await waitForPaths(tun, 2, 20_000);
      assert.equal(status.state, 'connected', JSON.stringify(status));
      const loss = await pingLoss(lab.laptop, ['-c', '20', '-i', '0.05', '-W', '1', GW_TUN]);
      assert.ok(loss <= 10, `ping loss ${loss} %`);
      // The helpers are the packaged ones, not a checkout's (their command lines say which).
      for (const h of [tun.laptop, tun.gw])
        assert.ok(
          h.proc.spawnargs.some((a) => a.startsWith(app.root)),
          h.proc.spawnargs.join(' '),
        );
    } finally {
      await tun?.destroy();
      await lab.destroy();
    }
  });
});
