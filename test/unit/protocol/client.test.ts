import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ControlClient } from '../../../app/protocol/client.ts';
import { ControlError } from '../../../app/protocol/errors.ts';
import { encodeFrame } from '../../../app/protocol/framing.ts';

/** A scripted "helper": answers the hello with `welcome`, then each request with `reply(req)`. */
async function scripted(
  reply: (req: { id: number; method: string }) => unknown[],
): Promise<{ path: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'qe-client-'));
  const path = join(dir, 's.sock');
  const srv = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0);
        const msg = JSON.parse(buf.subarray(5, 4 + len).toString()) as {
          type: string;
          id: number;
          method: string;
        };
        buf = buf.subarray(4 + len);
        const out =
          msg.type === 'hello'
            ? [{ type: 'welcome', version: 1, role: 'admin', helperVersion: 't' }]
            : reply(msg);
        for (const o of out)
          s.write(typeof o === 'string' ? Buffer.from(o, 'latin1') : encodeFrame(o, 1 << 20));
      }
    });
  });
  await new Promise<void>((r) => srv.listen(path, r));
  return {
    path,
    close: async () => {
      await new Promise<void>((r) => srv.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const status = {
  target: 'disconnected',
  state: 'disconnected',
  mode: 'aggregate',
  scheduler: 'weighted',
  helperVersion: 't',
  connectedForMs: 0,
  activePaths: 0,
};

describe('ControlClient', () => {
  test('ignores message types and fields from a newer helper (additive evolution)', async () => {
    const s = await scripted((r) => [
      { type: 'notice', text: 'from the future' },
      { type: 'event', watchId: 99, kind: 'hologram' },
      { type: 'response', id: r.id, ok: true, result: { ...status, newField: { x: 1 } } },
    ]);
    try {
      const c = await ControlClient.connect({ socketPath: s.path });
      const st = await c.request('status', {});
      assert.equal(st.state, 'disconnected');
      c.close();
    } finally {
      await s.close();
    }
  });

  test('an invalid result is a protocol_error for that request, not a crash', async () => {
    const s = await scripted((r) => [
      { type: 'response', id: r.id, ok: true, result: { ...status, state: 'exploded' } },
    ]);
    try {
      const c = await ControlClient.connect({ socketPath: s.path });
      const e = await c.request('status', {}).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'protocol_error');
      c.close();
    } finally {
      await s.close();
    }
  });

  test('an oversize frame from the helper closes the connection with protocol_error', async () => {
    const s = await scripted(() => ['\xff\xff\xff\xff']);
    try {
      const c = await ControlClient.connect({ socketPath: s.path });
      const e = await c.request('status', {}).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'protocol_error', String(e));
      assert.equal(c.isClosed, true);
    } finally {
      await s.close();
    }
  });

  test('a helper that never answers gives a timeout', async () => {
    const s = await scripted(() => []);
    try {
      const c = await ControlClient.connect({ socketPath: s.path, timeoutMs: 200 });
      const e = await c.request('status', {}).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'timeout');
      c.close();
    } finally {
      await s.close();
    }
  });

  test('no socket → not_running', async () => {
    const e = await ControlClient.connect({ socketPath: '/nonexistent/qe.sock' }).catch((x: unknown) => x);
    assert.ok(e instanceof ControlError && e.code === 'not_running');
  });
});
