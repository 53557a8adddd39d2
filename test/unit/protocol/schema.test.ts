import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeHelper, mulberry32 } from '../../../app/helper/control/fake-helper.ts';
import { decodePayload, encodeFrame } from '../../../app/protocol/framing.ts';
import {
  ClientMessageSchema,
  HelloSchema,
  METHOD_NAMES,
  type MethodName,
  methods,
  RequestEnvelopeSchema,
  ServerMessageSchema,
} from '../../../app/protocol/schema.ts';

/** One valid params value and one valid result for every verb: the table must stay covered. */
async function examples(): Promise<Record<MethodName, { params: unknown; result: unknown }>> {
  let t = 0;
  const h = new FakeHelper({ now: () => t, random: mulberry32(7), connectDelayMs: 10 });
  const connected = await h.connect();
  t = 1_000;
  const status = await h.status();
  assert.equal(status.state, 'connected');
  return {
    status: { params: {}, result: status },
    connect: { params: {}, result: connected },
    disconnect: { params: {}, result: await h.disconnect() },
    listInterfaces: { params: {}, result: await h.listInterfaces() },
    setInterfaceEnabled: {
      params: { name: 'wlan0', enabled: false },
      result: await h.setInterfaceEnabled('wlan0', false),
    },
    setMode: { params: { mode: 'failover' }, result: await h.setMode('failover') },
    setScheduler: { params: { scheduler: 'latency' }, result: await h.setScheduler('latency') },
    listPeers: { params: {}, result: await h.listPeers() },
    watch: { params: { intervalMs: 250 }, result: { watchId: 3 } },
    unwatch: { params: { watchId: 3 }, result: {} },
  };
}

/** Encode → frame → decode → validate: what actually crosses the socket. */
function wire(v: unknown): unknown {
  const d = decodePayload(encodeFrame(v, 1 << 22).subarray(4));
  assert.ok(d.ok);
  return d.value;
}

describe('protocol schema', () => {
  test('hello round-trips and tolerates unknown optional fields (additive)', () => {
    const hello = { type: 'hello', version: 1, client: 'test/1' };
    assert.deepEqual(ClientMessageSchema.parse(wire(hello)), hello);
    assert.equal(HelloSchema.safeParse({ type: 'hello', version: 1, future: { x: 1 } }).success, true);
    assert.equal(HelloSchema.safeParse({ type: 'hello', version: -1 }).success, false);
    assert.equal(HelloSchema.safeParse({ type: 'hello', version: '1' }).success, false);
  });

  test('every method: request params and result round-trip through the schema', async () => {
    const ex = await examples();
    assert.deepEqual(Object.keys(ex).sort(), [...METHOD_NAMES].sort(), 'examples cover the whole verb table');
    for (const m of METHOD_NAMES) {
      const req = { type: 'request', id: 9, method: m, params: ex[m].params };
      const env = RequestEnvelopeSchema.parse(wire(req));
      assert.deepEqual(methods[m].params.parse(env.params), ex[m].params, m);
      const res = { type: 'response', id: 9, ok: true, result: ex[m].result };
      const parsed = ServerMessageSchema.parse(wire(res));
      assert.equal(parsed.type, 'response');
      assert.deepEqual(methods[m].result.parse((parsed as { result: unknown }).result), ex[m].result, m);
    }
  });

  test('server messages round-trip: welcome, fatal, error response, snapshot, sample', async () => {
    let t = 0;
    const h = new FakeHelper({ now: () => t, random: mulberry32(1), connectDelayMs: 0 });
    await h.connect();
    t = 500;
    const sample = h.sample();
    assert.ok(sample.paths.length >= 1);
    const msgs = [
      { type: 'welcome', version: 1, role: 'read-only', helperVersion: '0.1.0' },
      { type: 'fatal', error: { code: 'version_mismatch', message: 'no', supported: { min: 1, max: 1 } } },
      { type: 'response', id: 1, ok: false, error: { code: 'permission_denied', message: 'no' } },
      {
        type: 'event',
        watchId: 1,
        kind: 'snapshot',
        status: await h.status(),
        interfaces: await h.listInterfaces(),
        peers: await h.listPeers(),
        sample,
      },
      { type: 'event', watchId: 1, kind: 'sample', sample, coalesced: 4 },
    ];
    for (const m of msgs) assert.deepEqual(ServerMessageSchema.parse(wire(m)), m);
  });

  test('an unknown error code from a newer helper reads as internal, not a parse failure', () => {
    const r = ServerMessageSchema.parse({
      type: 'response',
      id: 1,
      ok: false,
      error: { code: 'brand_new', message: 'x' },
    });
    assert.equal(r.type === 'response' && !r.ok && r.error.code, 'internal');
  });

  test('params reject paths, scripts, unknown fields and oversize values (S2)', () => {
    const bad: Array<[MethodName, unknown]> = [
      ['setInterfaceEnabled', { name: '../../etc/passwd', enabled: true }],
      ['setInterfaceEnabled', { name: 'eth0; rm -rf /', enabled: true }],
      ['setInterfaceEnabled', { name: 'a'.repeat(16), enabled: true }],
      ['setInterfaceEnabled', { name: 'eth0', enabled: 'yes' }],
      ['setInterfaceEnabled', { name: 'eth0', enabled: true, script: '/bin/sh' }],
      ['setMode', { mode: 'turbo' }],
      ['setScheduler', { scheduler: 'round-robin', plugin: '/tmp/x.so' }],
      ['status', { configPath: '/etc/shadow' }],
      ['watch', { intervalMs: 99 }],
      ['watch', { intervalMs: 1.5e6 }],
      ['watch', { intervalMs: 150.5 }],
      ['unwatch', { watchId: -1 }],
    ];
    for (const [m, p] of bad)
      assert.equal(methods[m].params.safeParse(p).success, false, `${m} ${JSON.stringify(p)}`);
  });

  test('request envelopes reject extra top-level fields and wrong types', () => {
    assert.equal(
      RequestEnvelopeSchema.safeParse({ type: 'request', id: 1, method: 'status', exec: 'sh' }).success,
      false,
    );
    assert.equal(
      RequestEnvelopeSchema.safeParse({ type: 'request', id: -1, method: 'status' }).success,
      false,
    );
    assert.equal(
      RequestEnvelopeSchema.safeParse({ type: 'request', id: 1, method: 'x'.repeat(65) }).success,
      false,
    );
    assert.equal(RequestEnvelopeSchema.safeParse({ type: 'request', id: 1, method: 'status' }).success, true);
  });

  test('results reject out-of-range numbers and bad enums', () => {
    const status = {
      target: 'connected',
      state: 'connected',
      mode: 'aggregate',
      scheduler: 'weighted',
      helperVersion: '1',
      connectedForMs: 5,
      activePaths: 1,
    };
    assert.equal(methods.status.result.safeParse(status).success, true);
    assert.equal(methods.status.result.safeParse({ ...status, state: 'exploded' }).success, false);
    assert.equal(methods.status.result.safeParse({ ...status, activePaths: -1 }).success, false);
  });
});
