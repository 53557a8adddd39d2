import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WATCH_HIGH_WATER_BYTES } from '../../../app/helper/control/watch-stream.ts';
import { ControlClient } from '../../../app/protocol/client.ts';
import { ControlError } from '../../../app/protocol/errors.ts';
import { encodeFrame } from '../../../app/protocol/framing.ts';
import type { InterfaceInfo } from '../../../app/protocol/schema.ts';
import { SampleEventSchema, SnapshotEventSchema, type WatchEvent } from '../../../app/protocol/schema.ts';
import { RawClient, startFake } from './harness.ts';

describe('watch', () => {
  test('snapshot first, then samples no faster than the interval', async () => {
    const h = await startFake();
    try {
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      await c.request('connect', {});
      const events: WatchEvent[] = [];
      const t0 = performance.now();
      let t5 = 0;
      await new Promise<void>((resolve) => {
        void c.watch(100, (e) => {
          events.push(e);
          if (events.length === 6) {
            t5 = performance.now();
            resolve();
          }
        });
      });
      assert.equal(events[0]?.kind, 'snapshot');
      assert.ok(SnapshotEventSchema.safeParse(events[0]).success);
      for (const e of events.slice(1)) {
        assert.equal(e.kind, 'sample');
        assert.ok(SampleEventSchema.safeParse(e).success);
      }
      // Five samples at 100 ms cannot arrive in less than ~4 intervals (a lower bound only:
      // a slow machine makes this slower, never faster).
      assert.ok(t5 - t0 >= 350, `5 samples arrived in ${Math.round(t5 - t0)} ms`);
      const ats = events.slice(1).map((e) => e.sample.atMs);
      assert.deepEqual(
        [...ats].sort((a, b) => a - b),
        ats,
        'samples are in time order',
      );
      c.close();
    } finally {
      await h.close();
    }
  });

  test('unwatch stops the stream; per-connection watch limit is enforced', async () => {
    const h = await startFake();
    try {
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      const watches = [];
      for (let i = 0; i < 4; i++) watches.push(await c.watch(60_000, () => {}));
      const e = await c.watch(100, () => {}).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'too_many_watches');
      assert.equal(h.server.connectionStats()[0]?.watches, 4);
      for (const w of watches) await w.stop();
      assert.equal(h.server.connectionStats()[0]?.watches, 0);
      const again = await c
        .request('unwatch', { watchId: watches[0]?.watchId ?? 1 })
        .catch((x: unknown) => x);
      assert.ok(again instanceof ControlError && again.code === 'not_found');
      c.close();
    } finally {
      await h.close();
    }
  });

  test('intervals below 100 ms are refused', async () => {
    const h = await startFake();
    try {
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      const e = await c.watch(10, () => {}).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'bad_request');
      c.close();
    } finally {
      await h.close();
    }
  });

  test('a paused reader gets coalesced samples; the helper-side queue stays bounded', async () => {
    // 200 interfaces make each sample ~45 KiB, so the kernel's socket buffer fills in a second
    // and the server's own buffer (writableLength) is what the test watches.
    const many: InterfaceInfo[] = Array.from({ length: 200 }, (_, i) => ({
      name: `eth${i}`,
      kind: 'ethernet',
      addresses: [`198.18.${i >> 8}.${i & 255}/15`],
      up: true,
      enabled: true,
      metered: false,
    }));
    const h = await startFake({ fake: { interfaces: many, connectDelayMs: 0 } });
    try {
      await h.helper.connect();
      const raw = await RawClient.connect(h.socketPath);
      raw.send({ type: 'hello', version: 1 });
      raw.send({ type: 'request', id: 1, method: 'watch', params: { intervalMs: 100 } });
      await raw.until(() => raw.frames.some((f) => (f as { kind?: string }).kind === 'snapshot'));
      raw.socket.pause();
      const sampleFrame = encodeFrame(
        { type: 'event', watchId: 1, kind: 'sample', sample: h.helper.sample(), coalesced: 0 },
        1 << 24,
      ).length;
      let maxQueued = 0;
      const deadline = Date.now() + 20_000;
      // Keep the reader paused until the server has skipped at least 10 samples (bounded in time).
      for (;;) {
        const st = h.server.connectionStats()[0];
        assert.ok(st, 'connection still open');
        maxQueued = Math.max(maxQueued, st.writableLength);
        if (st.coalescedTotal >= 10) break;
        assert.ok(Date.now() < deadline, `no coalescing within 20 s (queued ${st.writableLength})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // Bound: below the high-water mark when the last sample was written, plus that one frame.
      assert.ok(
        maxQueued < WATCH_HIGH_WATER_BYTES + sampleFrame,
        `queued ${maxQueued} B, bound ${WATCH_HIGH_WATER_BYTES + sampleFrame} B`,
      );
      const before = raw.frames.length;
      raw.socket.resume();
      await raw.until(
        () => raw.frames.slice(before).some((f) => ((f as { coalesced?: number }).coalesced ?? 0) > 0),
        10_000,
      );
      const skipped = raw.frames
        .map((f) => (f as { coalesced?: number }).coalesced ?? 0)
        .reduce((a, b) => a + b, 0);
      assert.ok(skipped >= 10, `client was told about ${skipped} skipped samples`);
      raw.destroy();
    } finally {
      await h.close();
    }
  });
});
