// The CLI against a control server backed by the FAKE helper: spawned as a real process (the
// way users run it) for the contract cases, in-process (runCli) for the rest.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../../app/cli/context.ts';
import { EXIT } from '../../../app/cli/exit-codes.ts';
import { runCli } from '../../../app/cli/program.ts';
import { encodeFrame } from '../../../app/protocol/framing.ts';
import {
  InterfaceInfoSchema,
  PathSampleSchema,
  PeerInfoSchema,
  SampleEventSchema,
  SnapshotEventSchema,
  StatusSchema,
} from '../../../app/protocol/schema.ts';
import { NOBODY, startFake } from '../control/harness.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'bin', 'quicether.js');

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], {
      cwd: repo,
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    write: (t) => stdout.push(t),
    err: (l) => stderr.push(l),
    isTTY: false,
  };
}

describe('quicether CLI (spawned)', () => {
  test('status --json prints a valid Status', async () => {
    const h = await startFake();
    try {
      const r = await cli(['status', '--json'], { QUICETHER_SOCKET: h.socketPath });
      assert.equal(r.code, 0, r.stderr);
      const s = StatusSchema.parse(JSON.parse(r.stdout));
      assert.deepEqual([s.target, s.state], ['disconnected', 'disconnected']);
    } finally {
      await h.close();
    }
  });

  test('iface disable NAME changes the helper and says so', async () => {
    const h = await startFake();
    try {
      const r = await cli(['--socket', h.socketPath, 'iface', 'disable', 'wlan0']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'wlan0: disabled');
      const wlan = (await h.helper.listInterfaces()).find((i) => i.name === 'wlan0');
      assert.equal(wlan?.enabled, false);
    } finally {
      await h.close();
    }
  });

  test('watch --json --count 3 prints a snapshot then exactly 3 samples and exits 0', async () => {
    const h = await startFake();
    try {
      await h.helper.connect();
      const r = await cli(['watch', '--json', '--count', '3', '--interval', '100', '--socket', h.socketPath]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string });
      assert.deepEqual(
        lines.map((l) => l.kind),
        ['snapshot', 'sample', 'sample', 'sample'],
      );
      assert.ok(SnapshotEventSchema.safeParse({ type: 'event', watchId: 1, ...lines[0] }).success);
      for (const l of lines.slice(1))
        assert.ok(SampleEventSchema.safeParse({ type: 'event', watchId: 1, ...l }).success);
      assert.equal(h.server.connectionStats().length, 0, 'the CLI closed its connection');
    } finally {
      await h.close();
    }
  });

  test('helper not running: one clear sentence and exit 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qe-cli-'));
    try {
      const sock = join(dir, 'helper.sock');
      const r = await cli(['status'], { QUICETHER_SOCKET: sock });
      assert.equal(r.code, 3);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `quicether: the helper is not running (no socket at ${sock}). Start it with: sudo quicether start --config /etc/quicether/config.toml\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('version mismatch exits 5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qe-cli-'));
    const sock = join(dir, 'old-helper.sock');
    // A "helper" from the future: answers every hello with the typed version_mismatch error.
    const srv = net.createServer((s) => {
      s.once('data', () =>
        s.end(
          encodeFrame(
            {
              type: 'fatal',
              error: { code: 'version_mismatch', message: 'x', supported: { min: 7, max: 9 } },
            },
            1024,
          ),
        ),
      );
      s.on('error', () => {});
    });
    await new Promise<void>((r) => srv.listen(sock, r));
    try {
      const r = await cli(['status', '--socket', sock]);
      assert.equal(r.code, 5);
      assert.match(r.stderr, /helper accepts 7\.\.9/);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('quicether CLI (in-process)', () => {
  test('read-only caller: reads work, changes exit 4', async () => {
    const h = await startFake({ peerCredentials: NOBODY });
    try {
      const env = { QUICETHER_SOCKET: h.socketPath };
      const io = captureIo();
      assert.equal(await runCli(['status'], io, env), EXIT.ok);
      assert.match(io.stdout.join('\n'), /you are read-only/);
      const io2 = captureIo();
      assert.equal(await runCli(['connect'], io2, env), EXIT.permissionDenied);
      assert.match(io2.stderr.join('\n'), /^quicether: permission denied: connect needs an admin/);
    } finally {
      await h.close();
    }
  });

  test('every verb with --json gives schema-valid output', async () => {
    const h = await startFake();
    try {
      const env = { QUICETHER_SOCKET: h.socketPath };
      const run = async (args: string[]): Promise<unknown> => {
        const io = captureIo();
        const code = await runCli([...args, '--json'], io, env);
        assert.equal(code, EXIT.ok, `${args.join(' ')}: ${io.stderr.join('\n')}`);
        assert.equal(io.stdout.length, 1, 'exactly one JSON line');
        return JSON.parse(io.stdout[0] ?? 'null');
      };
      StatusSchema.parse(await run(['connect']));
      StatusSchema.parse(await run(['mode', 'failover']));
      assert.equal(StatusSchema.parse(await run(['scheduler', 'latency'])).scheduler, 'latency');
      for (const i of (await run(['iface'])) as unknown[]) InterfaceInfoSchema.parse(i);
      for (const i of (await run(['iface', 'list'])) as unknown[]) InterfaceInfoSchema.parse(i);
      InterfaceInfoSchema.parse(await run(['iface', 'enable', 'eth0']));
      for (const p of (await run(['peers'])) as unknown[]) PeerInfoSchema.parse(p);
      await new Promise((r) => setTimeout(r, 300)); // past the fake's connect + probe time
      const paths = (await run(['paths'])) as unknown[];
      assert.ok(paths.length >= 1);
      for (const p of paths) PathSampleSchema.parse(p);
      assert.equal(StatusSchema.parse(await run(['disconnect'])).target, 'disconnected');
    } finally {
      await h.close();
    }
  });

  test('usage errors exit 2 and never reach the helper', async () => {
    const h = await startFake();
    try {
      const env = { QUICETHER_SOCKET: h.socketPath };
      for (const args of [
        ['mode', 'turbo'],
        ['scheduler'],
        ['iface', 'disable', '../../etc/passwd'],
        ['frobnicate'],
        ['watch', '--interval', '50'],
        ['watch', '--count', '0'],
        ['start', '--multipath', 'sideways'],
        ['start', '--interfaces', 'eth0,bad/name'],
        ['status', '--no-such-option'],
      ]) {
        const io = captureIo();
        assert.equal(await runCli(args, io, env), EXIT.usage, args.join(' '));
        assert.ok(io.stderr.length > 0, `${args.join(' ')} explains itself`);
      }
      assert.equal((await h.helper.status()).mode, 'aggregate');
    } finally {
      await h.close();
    }
  });

  test("the seed's `quicether start --interfaces eth0 --multipath disable` parses", async () => {
    const calls: unknown[] = [];
    const local = {
      start: async (ctx: { socketPath: string }, opts: unknown) => {
        calls.push({ socketPath: ctx.socketPath, opts });
        return EXIT.ok;
      },
      keygen: async () => EXIT.ok,
    };
    const io = captureIo();
    const code = await runCli(
      ['start', '--interfaces', 'eth0', '--multipath', 'disable'],
      io,
      { QUICETHER_SOCKET: '/tmp/x.sock' },
      local,
    );
    assert.equal(code, EXIT.ok);
    assert.deepEqual(calls, [
      { socketPath: '/tmp/x.sock', opts: { interfaces: ['eth0'], multipath: 'disable' } },
    ]);
    await runCli(
      [
        'start',
        '--config',
        '/etc/quicether/config.toml',
        '--interfaces',
        'wlan0,wwan0',
        '--multipath',
        'aggregate',
      ],
      io,
      {},
      local,
    );
    assert.deepEqual(calls[1], {
      socketPath: '/run/quicether/helper.sock',
      opts: { config: '/etc/quicether/config.toml', interfaces: ['wlan0', 'wwan0'], multipath: 'aggregate' },
    });
  });

  test('--help lists every exit code and exits 0', async () => {
    const io = captureIo();
    assert.equal(await runCli(['--help'], io, {}), EXIT.ok);
    const text = io.stdout.join('');
    for (const line of [
      '0  ok',
      '1  error',
      '2  usage',
      '3  the helper is not running',
      '4  permission denied',
      '5  protocol version mismatch',
    ]) {
      assert.ok(text.includes(line), line);
    }
  });

  test('keygen writes an identity, prints its NodeId, and will not overwrite without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qe-keygen-'));
    try {
      const out = join(dir, 'id');
      const io = captureIo();
      assert.equal(await runCli(['keygen', '--out', out, '--json'], io, {}), EXIT.ok, io.stderr.join('\n'));
      const { nodeId } = JSON.parse(io.stdout[0] ?? '{}') as { nodeId: string };
      assert.ok(nodeId.length > 10);
      assert.ok(existsSync(join(out, 'node.key')) && existsSync(join(out, 'node.crt')));
      const io2 = captureIo();
      assert.equal(await runCli(['keygen', '--out', out], io2, {}), EXIT.error);
      assert.match(io2.stderr.join('\n'), /already exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
