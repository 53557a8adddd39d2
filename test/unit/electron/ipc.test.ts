// The IPC hop end to end without Electron: the preload's API (renderer-api.ts) over a fake
// ipcRenderer wired to the router (ipc-router.ts) over a fake ipcMain.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Result } from '../../../app/renderer/bridge.ts';
import type { BridgeEvent } from '../../../app/renderer/model.ts';
import {
  type InvokeEventLike,
  type IpcMainLike,
  registerIpcHandlers,
} from '../../../electron/main/logic/ipc-router.ts';
import type { AppLocation } from '../../../electron/main/logic/sender-check.ts';
import type { MainHandlers } from '../../../electron/shared/derive.ts';
import { channelOf, type IpcSchema, ipcSchema } from '../../../electron/shared/ipc-schema.ts';
import { createRendererApi } from '../../../electron/shared/renderer-api.ts';
import { snap } from './fixtures.ts';

const LOC: AppLocation = { kind: 'file', indexPath: '/app/dist/renderer/index.html' };
const GOOD: InvokeEventLike = {
  sender: { id: 1 },
  senderFrame: { url: 'file:///app/dist/renderer/index.html', parent: null },
};

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function setup(event: InvokeEventLike = GOOD) {
  const handlersByChannel = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle: (ch, l) => void handlersByChannel.set(ch, l),
    removeHandler: (ch) => void handlersByChannel.delete(ch),
  };
  const calls: string[] = [];
  const record = (what: string): Result<null> => {
    calls.push(what);
    return { ok: true, value: null };
  };
  const handlers: MainHandlers<IpcSchema> = {
    getSnapshot: async () => ({ ok: true, value: snap() }),
    connect: async () => record('connect'),
    disconnect: async () => record('disconnect'),
    setInterfaceEnabled: async (name, on) => record(`iface ${name} ${on}`),
    setMode: async (m) => record(`mode ${m}`),
    setScheduler: async () => {
      throw new Error('boom');
    },
  };
  const unregister = registerIpcHandlers(ipcMain, handlers, { location: LOC, ownWebContents: new Set([1]) });
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const api = createRendererApi({
    invoke: async (ch, ...args) => {
      const h = handlersByChannel.get(ch);
      if (!h) throw new Error(`no handler for ${ch}`);
      return h(event, ...args);
    },
    on: (ch, l) => {
      if (!listeners.has(ch)) listeners.set(ch, new Set());
      listeners.get(ch)?.add(l);
    },
    removeListener: (ch, l) => listeners.get(ch)?.delete(l),
  });
  const sendFromMain = (e: BridgeEvent) => {
    for (const l of listeners.get(channelOf('subscribe')) ?? []) l({ sender: 'secret' }, e);
  };
  return { api, calls, handlersByChannel, unregister, sendFromMain, listeners };
}

describe('IPC schema → router → renderer API', () => {
  test('one handler per invoke entry, none for events', () => {
    const { handlersByChannel, unregister } = setup();
    const invokeKeys = Object.entries(ipcSchema)
      .filter(([, e]) => e.kind === 'invoke')
      .map(([k]) => channelOf(k as keyof IpcSchema))
      .sort();
    assert.deepEqual([...handlersByChannel.keys()].sort(), invokeKeys);
    unregister();
    assert.equal(handlersByChannel.size, 0);
  });

  test('valid calls reach the handlers with their arguments', async () => {
    const { api, calls } = setup();
    const s = await api.getSnapshot();
    assert.equal(s.ok && s.value.state, 'connected');
    assert.deepEqual(await api.connect(), { ok: true, value: null });
    await api.setInterfaceEnabled('wlan0', false);
    await api.setMode('failover');
    assert.deepEqual(calls, ['connect', 'iface wlan0 false', 'mode failover']);
  });

  test('bad arguments are refused before the handler runs', async () => {
    const { api, calls } = setup();
    const bad: Array<Promise<Result<null>>> = [
      (api.setInterfaceEnabled as (...a: unknown[]) => Promise<Result<null>>)('../../etc/passwd', true),
      (api.setInterfaceEnabled as (...a: unknown[]) => Promise<Result<null>>)('wlan0', 'yes'),
      (api.setInterfaceEnabled as (...a: unknown[]) => Promise<Result<null>>)('wlan0; rm -rf /', true),
      (api.setMode as (...a: unknown[]) => Promise<Result<null>>)('turbo'),
      (api.connect as (...a: unknown[]) => Promise<Result<null>>)('extra'),
    ];
    for (const r of await Promise.all(bad)) assert.equal(!r.ok && r.error.code, 'bad_request');
    assert.deepEqual(calls, []);
  });

  test('calls from a foreign frame, a subframe or another window are refused', async () => {
    const events: InvokeEventLike[] = [
      { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: 1 }, senderFrame: { url: 'file:///app/dist/renderer/index.html', parent: {} } },
      { sender: { id: 2 }, senderFrame: { url: 'file:///app/dist/renderer/index.html', parent: null } },
      { sender: { id: 1 }, senderFrame: null },
    ];
    for (const ev of events) {
      const { api, calls } = setup(ev);
      const r = await api.connect();
      assert.equal(!r.ok && r.error.code, 'forbidden');
      assert.deepEqual(calls, []);
    }
  });

  test('a throwing handler becomes an internal error result, not a rejection', async () => {
    const { api } = setup();
    const r = await api.setScheduler('latency');
    assert.deepEqual(r, { ok: false, error: { code: 'internal', message: 'internal error' } });
  });

  test('subscribe delivers payloads only (never the IPC event object) and unsubscribes', () => {
    const { api, sendFromMain, listeners } = setup();
    const got: unknown[][] = [];
    const off = api.subscribe((...args: unknown[]) => got.push(args));
    const ev: BridgeEvent = { kind: 'snapshot', snapshot: snap() };
    sendFromMain(ev);
    assert.deepEqual(got, [[ev]]);
    off();
    sendFromMain(ev);
    assert.equal(got.length, 1);
    assert.equal(listeners.get(channelOf('subscribe'))?.size, 0);
  });

  test('the preload API object is frozen and has exactly the schema keys', () => {
    const { api } = setup();
    assert.ok(Object.isFrozen(api));
    assert.deepEqual(Object.keys(api).sort(), Object.keys(ipcSchema).sort());
  });
});
