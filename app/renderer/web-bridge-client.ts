// DesktopApi over a WebSocket to the web bridge (app/web-bridge), for the headless dashboard.
// Reconnects with bounded backoff; while the bridge is unreachable, subscribers get a
// 'helper-down' snapshot (the UI cannot tell a dead bridge from a dead helper, and the remedy
// text says so).
import { type DesktopApi, fail, type Result, type Unsubscribe } from './bridge.ts';
import type { BridgeEvent, Mode, Scheduler, Snapshot } from './model.ts';
import { snapshotHelperDown } from './protocol-adapter.ts';
import { type CallMessage, type ServerMessage, TOKEN_PARAM, type WireMethod, WS_PATH } from './web-wire.ts';

/** The slice of the browser WebSocket used here (so tests can pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WebBridgeClientOptions {
  /** ws://127.0.0.1:port/ws?token=… */
  url: string;
  createSocket?: (url: string) => WebSocketLike;
  /** Per-request budget. */
  requestTimeoutMs?: number;
  /** Reconnect delays grow from min to max (doubling). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

const OPEN = 1;
/** Requests made while the socket is (re)connecting wait here, up to this many. */
const MAX_QUEUED = 32;

/** Builds the WebSocket URL for a page served by the bridge; the token comes from ?token= if present. */
export function wsUrlFor(loc: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get(TOKEN_PARAM);
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`;
}

export function createWebBridgeClient(opts: WebBridgeClientOptions): DesktopApi & { close(): void } {
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const minDelay = opts.reconnectMinMs ?? 500;
  const maxDelay = opts.reconnectMaxMs ?? 5_000;
  const make = opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
  const listeners = new Set<(e: BridgeEvent) => void>();
  const pending = new Map<
    number,
    { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> }
  >();
  const queue: string[] = [];
  let nextId = 1;
  let delay = minDelay;
  let closed = false;
  let last: Snapshot | null = null;
  let ws: WebSocketLike | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const emit = (e: BridgeEvent) => {
    if (e.kind === 'snapshot') last = e.snapshot;
    for (const l of listeners) l(e);
  };

  const open = () => {
    retry = null;
    if (closed) return;
    const sock = make(opts.url);
    ws = sock;
    sock.onopen = () => {
      delay = minDelay;
      for (const m of queue.splice(0)) sock.send(m);
    };
    sock.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'reply') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        clearTimeout(p.timer);
        p.resolve(msg.result);
      } else if (msg.type === 'event') {
        emit(msg.event);
      }
    };
    sock.onerror = () => {};
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      queue.length = 0;
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.resolve(fail('helper_down', 'Lost contact with the dashboard server.'));
        pending.delete(id);
      }
      if (closed) return;
      emit({
        kind: 'snapshot',
        snapshot: snapshotHelperDown(last, {
          reason: 'unreachable',
          detail: 'Lost contact with the dashboard server (quicether web bridge).',
          retryInMs: delay,
        }),
      });
      retry = setTimeout(open, delay);
      delay = Math.min(maxDelay, delay * 2);
    };
  };

  const call = <T>(method: WireMethod, args: unknown[]): Promise<Result<T>> =>
    new Promise((resolve) => {
      if (closed) return resolve(fail('helper_down', 'client closed'));
      const id = nextId++;
      const msg: CallMessage = { type: 'call', id, method, args };
      const text = JSON.stringify(msg);
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(fail('timeout', `no answer to ${method}`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (r: Result<unknown>) => void, timer });
      if (ws && ws.readyState === OPEN) ws.send(text);
      else if (queue.length < MAX_QUEUED) queue.push(text);
      else {
        clearTimeout(timer);
        pending.delete(id);
        resolve(fail('helper_down', 'dashboard server not reachable'));
      }
    });

  open();

  return {
    getSnapshot: () => call<Snapshot>('getSnapshot', []),
    subscribe(cb: (e: BridgeEvent) => void): Unsubscribe {
      listeners.add(cb);
      return () => {
        listeners.delete(cb);
      };
    },
    connect: () => call<null>('connect', []),
    disconnect: () => call<null>('disconnect', []),
    setInterfaceEnabled: (name: string, on: boolean) => call<null>('setInterfaceEnabled', [name, on]),
    setMode: (m: Mode) => call<null>('setMode', [m]),
    setScheduler: (s: Scheduler) => call<null>('setScheduler', [s]),
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      ws?.close();
      listeners.clear();
    },
  };
}
