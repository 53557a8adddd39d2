import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BridgeEvent } from '../../../app/renderer/model.ts';
import {
  createWebBridgeClient,
  type WebSocketLike,
  wsUrlFor,
} from '../../../app/renderer/web-bridge-client.ts';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

function track(list: FakeSocket[], s: FakeSocket): FakeSocket {
  list.push(s);
  return s;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('web bridge client', () => {
  test('the WebSocket URL carries the page token and the right scheme', () => {
    assert.equal(
      wsUrlFor({ protocol: 'http:', host: '127.0.0.1:8080', search: '?token=a%2Bb' }),
      'ws://127.0.0.1:8080/ws?token=a%2Bb',
    );
    assert.equal(
      wsUrlFor({ protocol: 'http:', host: '127.0.0.1:8080', search: '' }),
      'ws://127.0.0.1:8080/ws',
    );
  });

  test('calls made before the socket opens are queued, then matched to replies by id', async () => {
    const sockets: FakeSocket[] = [];
    const c = createWebBridgeClient({
      url: 'ws://x/ws',
      createSocket: (u) => track(sockets, new FakeSocket(u)),
    });
    const s = sockets[0] as FakeSocket;
    const p1 = c.setInterfaceEnabled('wlan0', false);
    const p2 = c.connect();
    assert.equal(s.sent.length, 0);
    s.open();
    assert.deepEqual(s.sent, [
      { type: 'call', id: 1, method: 'setInterfaceEnabled', args: ['wlan0', false] },
      { type: 'call', id: 2, method: 'connect', args: [] },
    ]);
    s.receive({
      type: 'reply',
      id: 2,
      result: { ok: false, error: { code: 'permission_denied', message: 'no' } },
    });
    s.receive({ type: 'reply', id: 1, result: { ok: true, value: null } });
    assert.deepEqual(await p1, { ok: true, value: null });
    assert.deepEqual(await p2, { ok: false, error: { code: 'permission_denied', message: 'no' } });
    c.close();
  });

  test('events reach subscribers; losing the bridge fails pending calls, shows helper-down, and reconnects', async () => {
    const sockets: FakeSocket[] = [];
    const c = createWebBridgeClient({
      url: 'ws://x/ws',
      createSocket: (u) => track(sockets, new FakeSocket(u)),
      reconnectMinMs: 1,
      reconnectMaxMs: 2,
    });
    const got: BridgeEvent[] = [];
    c.subscribe((e) => got.push(e));
    const s = sockets[0] as FakeSocket;
    s.open();
    s.receive({
      type: 'event',
      event: {
        kind: 'stats',
        stats: { atMs: 1, paths: [], aggregate: { txBps: 0, rxBps: 0 }, sessionUptimeMs: 0 },
      },
    });
    assert.equal(got[0]?.kind, 'stats');
    const pending = c.disconnect();
    s.close();
    assert.deepEqual((await pending).ok, false);
    const last = got.at(-1);
    assert.equal(last?.kind === 'snapshot' && last.snapshot.state, 'helper-down');
    await new Promise((r) => setTimeout(r, 20));
    await tick();
    assert.ok(sockets.length >= 2, 'reconnected');
    c.close();
  });

  test('garbage from the server is ignored', () => {
    const sockets: FakeSocket[] = [];
    const c = createWebBridgeClient({
      url: 'ws://x/ws',
      createSocket: (u) => track(sockets, new FakeSocket(u)),
    });
    const got: unknown[] = [];
    c.subscribe((e) => got.push(e));
    const s = sockets[0] as FakeSocket;
    s.open();
    s.onmessage?.({ data: 'not json' });
    s.onmessage?.({ data: new Uint8Array(3) });
    s.receive({ type: 'reply', id: 999, result: { ok: true, value: null } });
    assert.equal(got.length, 0);
    c.close();
  });
});
