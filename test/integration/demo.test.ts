// `npm run demo -- --duration 15` end to end: it comes up, prints a dashboard URL with its token
// that serves the page (and refuses without the token), the helper it shows really carries the
// demo's traffic, and it leaves no namespace behind when it stops by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { isRoot, nobodyCanRead, run, waitExit } from '../lab/exec.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CLI = resolve(REPO, 'bin/quicether.js');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    http
      .get(url, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => {
          body += d;
        });
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      })
      .on('error', rej);
  });
}

/** Resolves when `re` matches the output so far (bounded); rejects if the process ends first. */
function waitFor(
  out: () => string,
  re: RegExp,
  exited: () => boolean,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((res, rej) => {
    const tick = () => {
      const m = re.exec(out());
      if (m) return res(m);
      if (exited()) return rej(new Error(`demo ended before printing ${re}:\n${out()}`));
      if (Date.now() > deadline) return rej(new Error(`no ${re} within ${timeoutMs} ms:\n${out()}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

describe('npm run demo', { skip: !isRoot() && 'needs root (network namespaces)' }, () => {
  test('--duration 15: a working dashboard URL and live helper during the run, a clean teardown after', async () => {
    const child = spawn('npm', ['run', 'demo', '--', '--duration', '15'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    try {
      // Setup (lab, delay tool build, helpers, maybe a renderer build) is bounded by this cap.
      const ns = await waitFor(
        () => out,
        /lab namespaces (qe-demo-\S+) \(laptop\) and (qe-demo-\S+) \(gateway\)/,
        () => exited,
        180_000,
      );
      const [, laptopNs, gwNs] = ns;
      const [url] = await waitFor(
        () => out,
        /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/,
        () => exited,
        120_000,
      );
      const [, socket] = await waitFor(
        () => out,
        /--socket (\S+) status/,
        () => exited,
        5_000,
      );
      assert.ok(laptopNs && gwNs && socket && url);

      const page = await get(url);
      assert.equal(page.status, 200);
      assert.match(page.body, /<html[\s>]/i);
      assert.match(page.body, /<script[^>]+src="[^"]*assets\//, 'the built renderer');
      const noToken = await get(url.replace(/\?token=.*/, ''));
      assert.equal(noToken.status, 403, 'the page is served without the token');

      // The helper behind the dashboard: both paths up, the demo's stream on them.
      const listed = await run('ip', ['netns', 'list']);
      assert.match(listed, new RegExp(`^${laptopNs}\\b`, 'm'));
      const cli = (args: string[]) =>
        run('ip', ['netns', 'exec', laptopNs, process.execPath, CLI, ...args, '--json', '--socket', socket]);
      const status = JSON.parse(await cli(['status'])) as { target: string };
      assert.equal(status.target, 'connected');
      // Both lab paths are there (their states may move while the scheduler settles) and carry the stream.
      let tx = 0;
      let names: string[] = [];
      for (let i = 0; i < 20 && tx === 0; i++) {
        const paths = JSON.parse(await cli(['paths'])) as { interface: string; txBps: number }[];
        names = paths.map((p) => p.interface).sort();
        tx = paths.reduce((n, p) => n + p.txBps, 0);
        if (tx === 0) await new Promise((r) => setTimeout(r, 300));
      }
      assert.deepEqual(names, ['lte0', 'wifi0']);
      assert.ok(tx > 0, 'no traffic on the laptop paths');

      const code = await waitExit(child, 90_000);
      assert.equal(code, 0, `demo exit code; output:\n${out}`);
      assert.match(out, /demo: stopping \(duration\)/);
      assert.match(out, new RegExp(`removed ${laptopNs} and ${gwNs}`));
      const after = await run('ip', ['netns', 'list']);
      assert.doesNotMatch(after, new RegExp(`^(${laptopNs}|${gwNs})\\b`, 'm'), 'a demo namespace is left');
    } finally {
      if (!exited) {
        child.kill('SIGINT');
        await waitExit(child, 30_000);
      }
    }
  });

  test('without root it says so in one sentence and exits 1', {
    skip:
      (!isRoot() && 'needs root to drop to nobody') ||
      (!nobodyCanRead(REPO) && 'uid 65534 cannot read the repository'),
  }, async () => {
    // Run the demo script directly as the unprivileged user `nobody` (setuid from root).
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'test/lab/demo.ts')], {
      cwd: REPO,
      uid: 65534,
      gid: 65534,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp' },
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await waitExit(child, 60_000);
    assert.equal(code, 1);
    assert.match(err, /needs root.*sudo npm run demo/);
  });
});
