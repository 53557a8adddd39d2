// The web bridge over a fake DesktopApi: message validation, verbs, events, and limits.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { DesktopApi } from '../../../app/renderer/bridge.ts';
import type { BridgeEvent, Snapshot } from '../../../app/renderer/model.ts';
import { startWebBridge, type WebBridge } from '../../../app/web-bridge/server.ts';

const SNAP: Snapshot = {
  state: 'connected',
  target: 'connected',
  peer: null,
  mode: 'aggregate',
  scheduler: 'weighted',
  interfaces: [],
  helper: { reachable: true, readOnly: false },
  banners: [],
  stats: null,
};

function fakeApi() {
  const calls: string[] = [];
  const subs = new Set<(e: BridgeEvent) => void>();
  const record = async (what: string) => {
    calls.push(what);
    return { ok: true as const, value: null };
  };
  const api: DesktopApi = {
    getSnapshot: async () => ({ ok: true, value: SNAP }),
    subscribe: (cb) => {
      subs.add(cb);
      return () => {
        subs.delete(cb);
      };
    },
    connect: () => record('connect'),
    disconnect: () => record('disconnect'),
    setInterfaceEnabled: (n, on) => record(`iface ${n} ${on}`),
    setMode: (m) => record(`mode ${m}`),
    setScheduler: (s) => record(`sched ${s}`),
  };
  const emit = (e: BridgeEvent) => {
    for (const s of subs) s(e);
  };
  return { api, calls, subs, emit };
}

function open(bridge: WebBridge): Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, {
      headers: { Origin: `http://127.0.0.1:${bridge.port}` },
    });
    const messages: unknown[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('error', reject);
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}

describe('web bridge server', () => {
  let dir: string;
  let bridge: WebBridge;
  let fake: ReturnType<typeof fakeApi>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qe-wb-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'assets', 'a.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'not served: unknown type');
    fake = fakeApi();
    bridge = await startWebBridge({ api: fake.api, staticDir: dir });
  });
  after(async () => {
    await bridge.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('static files: only known types, never outside the root', async () => {
    const get = (p: string) =>
      fetch(`http://127.0.0.1:${bridge.port}${p}${p.includes('?') ? '&' : '?'}token=${bridge.token}`);
    assert.equal((await get('/')).status, 200);
    const js = await get('/assets/a.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal((await get('/secret.txt')).status, 404);
    assert.equal((await get('/../../etc/passwd')).status, 404);
    assert.equal((await get('/%2e%2e/%2e%2e/etc/passwd')).status, 404);
    const post = await fetch(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  test('first message is a snapshot; verbs are validated against the IPC schema and dispatched', async () => {
    const { ws, messages } = await open(bridge);
    await until(() => messages.length >= 1);
    assert.deepEqual(messages[0], { type: 'event', event: { kind: 'snapshot', snapshot: SNAP } });
    const send = (m: unknown) => ws.send(JSON.stringify(m));
    send({ type: 'call', id: 1, method: 'setInterfaceEnabled', args: ['wlan0', false] });
    send({ type: 'call', id: 2, method: 'setInterfaceEnabled', args: ['../../etc', true] });
    send({ type: 'call', id: 3, method: 'setMode', args: ['turbo'] });
    send({ type: 'call', id: 4, method: 'toString', args: [] });
    send({ type: 'call', id: 5, method: '__proto__', args: [] });
    send({ type: 'call', id: 6, method: 'setScheduler', args: ['latency'] });
    await until(() => messages.length >= 7);
    const replies = new Map(
      messages
        .filter(
          (m): m is { type: 'reply'; id: number; result: { ok: boolean; error?: { code: string } } } =>
            (m as { type: string }).type === 'reply',
        )
        .map((m) => [m.id, m.result]),
    );
    assert.equal(replies.get(1)?.ok, true);
    for (const id of [2, 3, 4, 5]) assert.equal(replies.get(id)?.error?.code, 'bad_request', `id ${id}`);
    assert.equal(replies.get(6)?.ok, true);
    assert.deepEqual(fake.calls, ['iface wlan0 false', 'sched latency']);
    ws.close();
  });

  test('events are relayed to every client; a closed client unsubscribes', async () => {
    const a = await open(bridge);
    const b = await open(bridge);
    await until(() => a.messages.length >= 1 && b.messages.length >= 1);
    const subsBefore = fake.subs.size;
    fake.emit({
      kind: 'stats',
      stats: { atMs: 9, paths: [], aggregate: { txBps: 1, rxBps: 2 }, sessionUptimeMs: 0 },
    });
    await until(() => a.messages.length >= 2 && b.messages.length >= 2);
    b.ws.close();
    await b.closed;
    await until(() => fake.subs.size === subsBefore - 1);
    a.ws.close();
  });

  test('malformed or oversize messages close the connection', async () => {
    const c1 = await open(bridge);
    c1.ws.send('not json');
    assert.equal(await c1.closed, 1007);
    const c2 = await open(bridge);
    c2.ws.send(
      JSON.stringify({ type: 'call', id: 1, method: 'connect', args: [], pad: 'x'.repeat(64 * 1024) }),
    );
    assert.equal(await c2.closed, 1009);
    const c3 = await open(bridge);
    c3.ws.send(JSON.stringify({ type: 'call', id: 'x', method: 'connect', args: [] }));
    assert.equal(await c3.closed, 1008);
    assert.equal(fake.calls.includes('connect'), false);
  });
});
