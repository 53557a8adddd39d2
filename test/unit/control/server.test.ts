import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ControlServer } from '../../../app/helper/control/server.ts';
import { ControlClient } from '../../../app/protocol/client.ts';
import { ControlError } from '../../../app/protocol/errors.ts';
import { methods } from '../../../app/protocol/methods.ts';
import { MAX_CLIENT_FRAME_BYTES, PROTOCOL_VERSION } from '../../../app/protocol/version.ts';
import { RawClient, ROOT, startFake } from './harness.ts';

async function stillServes(socketPath: string): Promise<void> {
  const c = await ControlClient.connect({ socketPath, timeoutMs: 5_000 });
  const s = await c.request('status', {});
  assert.equal(typeof s.state, 'string');
  c.close();
}

const fatalCode = (raw: RawClient): string | undefined =>
  (
    raw.frames.find((f) => (f as { type?: string }).type === 'fatal') as
      | { error?: { code?: string } }
      | undefined
  )?.error?.code;

describe('control server', () => {
  test('socket file gets the requested mode; hello → welcome; requests answered', async () => {
    const h = await startFake({ socketMode: 0o660 });
    try {
      assert.equal(statSync(h.socketPath).mode & 0o777, 0o660);
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      assert.equal(c.role, 'admin');
      assert.equal(c.protocolVersion, PROTOCOL_VERSION);
      const st = await c.request('connect', {});
      assert.equal(st.target, 'connected');
      const ifs = await c.request('listInterfaces', {});
      assert.deepEqual(
        ifs.map((i) => i.name),
        ['eth0', 'wlan0', 'wwan0'],
      );
      const off = await c.request('setInterfaceEnabled', { name: 'wwan0', enabled: false });
      assert.equal(off.enabled, false);
      const err = await c
        .request('setInterfaceEnabled', { name: 'nope0', enabled: false })
        .catch((e: unknown) => e);
      assert.ok(err instanceof ControlError && err.code === 'not_found');
      const mode = await c.request('setMode', { mode: 'failover' });
      assert.equal(mode.mode, 'failover');
      c.close();
    } finally {
      await h.close();
    }
  });

  test('version mismatch gets a typed error with the supported range, then close', async () => {
    const h = await startFake();
    try {
      const e = await ControlClient.connect({
        socketPath: h.socketPath,
        protocolVersion: PROTOCOL_VERSION + 1,
      }).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError, String(e));
      assert.equal(e.code, 'version_mismatch');
      assert.deepEqual(e.supported, { min: 1, max: PROTOCOL_VERSION });
      const e0 = await ControlClient.connect({ socketPath: h.socketPath, protocolVersion: 0 }).catch(
        (x: unknown) => x,
      );
      assert.ok(e0 instanceof ControlError && e0.code === 'version_mismatch');
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('a request before hello, a bad hello, and a silent client are refused', async () => {
    const h = await startFake({ helloTimeoutMs: 200 });
    try {
      const a = await RawClient.connect(h.socketPath);
      a.send({ type: 'request', id: 1, method: 'connect' });
      await a.until(() => a.closed);
      assert.equal(fatalCode(a), 'hello_required');
      const b = await RawClient.connect(h.socketPath);
      b.send({ hello: 'there' });
      await b.until(() => b.closed);
      assert.equal(fatalCode(b), 'hello_required');
      const c = await RawClient.connect(h.socketPath);
      await c.until(() => c.closed);
      assert.equal(fatalCode(c), 'hello_required');
      assert.equal(h.helper !== null, true);
      assert.equal((await h.helper.status()).target, 'disconnected', 'nothing was executed');
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('a frame larger than the cap and a 1 GiB length prefix are refused; server keeps serving', async () => {
    const h = await startFake();
    try {
      const big = await RawClient.connect(h.socketPath);
      big.send({ type: 'hello', version: 1, client: 'x'.repeat(MAX_CLIENT_FRAME_BYTES) });
      await big.until(() => big.closed);
      assert.equal(fatalCode(big), 'frame_too_large');

      const giga = await RawClient.connect(h.socketPath);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(1 << 30);
      giga.write(head);
      giga.write(Buffer.alloc(256 * 1024, 0x41)); // the start of the "body" must not be buffered
      await giga.until(() => giga.closed);
      assert.equal(fatalCode(giga), 'frame_too_large');
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('garbage bytes, non-JSON frames and unknown frame formats close only that connection', async () => {
    const h = await startFake();
    try {
      const bystander = await ControlClient.connect({ socketPath: h.socketPath });
      let seed = 12345;
      for (let i = 0; i < 30; i++) {
        const raw = await RawClient.connect(h.socketPath);
        const junk = Buffer.alloc(64 + i * 37);
        for (let j = 0; j < junk.length; j++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          junk[j] = seed >>> 24;
        }
        raw.write(junk);
        raw.socket.end();
        await raw.until(() => raw.closed);
      }
      const nonJson = await RawClient.connect(h.socketPath);
      nonJson.write(Buffer.from([0, 0, 0, 4, 1, 0x7b, 0x7b, 0x7b]));
      await nonJson.until(() => nonJson.closed);
      assert.equal(fatalCode(nonJson), 'bad_frame');
      const fmt = await RawClient.connect(h.socketPath);
      fmt.write(Buffer.from([0, 0, 0, 3, 7, 0x7b, 0x7d]));
      await fmt.until(() => fmt.closed);
      assert.equal(fatalCode(fmt), 'bad_frame');
      assert.equal(
        (await bystander.request('status', {})).state,
        'disconnected',
        'other clients are unaffected',
      );
      bystander.close();
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('bad requests after hello get typed answers and the connection stays usable', async () => {
    const h = await startFake();
    try {
      const raw = await RawClient.connect(h.socketPath);
      raw.send({ type: 'hello', version: 1 });
      raw.send({ type: 'request', id: 1, method: 'runScript', params: { path: '/bin/sh' } });
      raw.send({ type: 'request', id: 2, method: 'setMode', params: { mode: 'turbo' } });
      raw.send({
        type: 'request',
        id: 3,
        method: 'setInterfaceEnabled',
        params: { name: '/etc/passwd', enabled: true },
      });
      raw.send({ type: 'request', id: 4, method: 'status', extra: 1 });
      raw.send({ type: 'request', id: 5, method: 'status' });
      await raw.until(() => raw.frames.length >= 6);
      const byId = new Map(
        raw.frames
          .slice(1)
          .map((f) => [(f as { id: number }).id, f as { ok: boolean; error?: { code: string } }]),
      );
      assert.equal((raw.frames[0] as { type: string }).type, 'welcome');
      assert.equal(byId.get(1)?.error?.code, 'unknown_method');
      assert.equal(byId.get(2)?.error?.code, 'bad_request');
      assert.equal(byId.get(3)?.error?.code, 'bad_request');
      assert.equal(byId.get(4)?.error?.code, 'bad_request');
      assert.equal(byId.get(5)?.ok, true);
      assert.equal(raw.closed, false);
      raw.destroy();
    } finally {
      await h.close();
    }
  });

  test('fuzz: 400 random JSON frames and request-shaped objects after hello; the helper stays up', async () => {
    const h = await startFake();
    try {
      const values = [
        ...fc.sample(fc.jsonValue(), { numRuns: 200, seed: 4242 }),
        ...fc.sample(
          fc.record({
            type: fc.constantFrom('request', 'hello', 'event', 'x'),
            id: fc.nat(), // a usable id: the answer must be a typed error, and the connection lives on
            method: fc.oneof(fc.constantFrom(...Object.keys(methods)), fc.string({ maxLength: 80 })),
            params: fc.jsonValue(),
          }),
          { numRuns: 200, seed: 4243 },
        ),
      ];
      let answered = 0;
      for (let i = 0; i < values.length; i += 20) {
        const raw = await RawClient.connect(h.socketPath);
        raw.send({ type: 'hello', version: 1 });
        await raw.until(() => raw.frames.length > 0); // the welcome (pipelining >16 before it is refused)
        for (const v of values.slice(i, i + 20)) raw.send(v);
        raw.send({ type: 'request', id: 777777, method: 'status' });
        // Either the marker request is answered, or the connection was closed with a typed fatal.
        await raw.until(() => raw.closed || raw.frames.some((f) => (f as { id?: number }).id === 777777));
        if (!raw.closed) answered++;
        else
          assert.ok(
            fatalCode(raw),
            `closed with a typed reason: ${JSON.stringify(raw.frames).slice(0, 400)}`,
          );
        raw.destroy();
      }
      assert.ok(answered > 0);
      assert.equal((await h.helper.status()).target !== undefined, true);
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('500 parallel clients are all served; the server serves afterwards', async () => {
    const h = await startFake();
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 500 }, async () => {
          const c = await ControlClient.connect({ socketPath: h.socketPath, timeoutMs: 20_000 });
          const s = await c.request('status', {});
          c.close();
          return s.state;
        }),
      );
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      assert.equal(ok, 500, JSON.stringify(results.find((r) => r.status === 'rejected')));
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('beyond maxConnections, clients get a clean busy error; capacity returns after they leave', async () => {
    const h = await startFake({ maxConnections: 20 });
    try {
      const settled = await Promise.allSettled(
        Array.from({ length: 60 }, () => ControlClient.connect({ socketPath: h.socketPath })),
      );
      const held = settled
        .filter((r) => r.status === 'fulfilled')
        .map((r) => (r as PromiseFulfilledResult<ControlClient>).value);
      const refused = settled
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason as unknown);
      assert.equal(held.length, 20);
      assert.equal(refused.length, 40);
      for (const e of refused) assert.ok(e instanceof ControlError && e.code === 'busy', String(e));
      for (const c of held) c.close();
      const deadline = Date.now() + 5_000;
      while (h.server.connectionCount > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await stillServes(h.socketPath);
    } finally {
      await h.close();
    }
  });

  test('refuses to start over a live helper or a non-socket file; replaces a stale socket', async () => {
    const h = await startFake();
    const other = { helper: h.helper, socketGroup: null, peerCredentials: ROOT } as const;
    try {
      await assert.rejects(ControlServer.listen({ ...other, socketPath: h.socketPath }), /already listening/);
      const file = join(h.dir, 'not-a-socket');
      writeFileSync(file, 'precious');
      await assert.rejects(ControlServer.listen({ ...other, socketPath: file }), /not a socket/);
      assert.equal(readFileSync(file, 'utf8'), 'precious');
      // A stale socket: its owner was killed with SIGKILL, so nobody unlinked it.
      const stalePath = join(h.dir, 'stale.sock');
      const child = spawn(process.execPath, [
        '-e',
        `require('net').createServer().listen(${JSON.stringify(stalePath)}, () => console.log('up'))`,
      ]);
      await new Promise<void>((r) => child.stdout.once('data', () => r()));
      child.kill('SIGKILL');
      await new Promise<void>((r) => child.once('exit', () => r()));
      assert.ok(existsSync(stalePath), 'socket file left behind');
      const s2 = await ControlServer.listen({ ...other, socketPath: stalePath });
      await stillServes(stalePath);
      await s2.close();
    } finally {
      await h.close();
    }
  });
});
