// The web bridge: serves the dashboard (the same renderer as Electron) on 127.0.0.1 and relays
// its WebSocket to a DesktopApi (in production a HelperLink over the helper's Unix socket, as the
// user who ran the bridge; the bridge itself has no privilege). Loopback only, a per-run token,
// Host/Origin checks against DNS rebinding and cross-site use, a strict CSP, bounded messages and
// bounded per-client send buffers.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { ipcSchema } from '../../electron/shared/ipc-schema.ts';
import type { DesktopApi, Result } from '../renderer/bridge.ts';
import { CSP_HEADER } from '../renderer/csp.ts';
import type { BridgeEvent } from '../renderer/model.ts';
import {
  type CallMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  type ServerMessage,
  TOKEN_PARAM,
  WS_PATH,
} from '../renderer/web-wire.ts';
import { COOKIE_NAME, checkRequest } from './request-guard.ts';
import { loadStaticFiles, type StaticFile } from './static-files.ts';

export interface WebBridgeOptions {
  api: DesktopApi;
  /** Directory of the built renderer (dist/renderer). */
  staticDir: string;
  /** 0 = pick a free port. */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Most WebSocket clients at once. */
  maxClients?: number;
  log?: (msg: string) => void;
}

export interface WebBridge {
  readonly port: number;
  readonly token: string;
  /** The URL to open: http://127.0.0.1:port/?token=… */
  readonly url: string;
  readonly clientCount: number;
  close(): Promise<void>;
}

/** Stats events are skipped for a client whose unsent bytes exceed this (latest sample wins). */
const SKIP_STATS_ABOVE_BYTES = 256 * 1024;
/** A client this far behind is not reading at all: disconnect it. */
const DROP_CLIENT_ABOVE_BYTES = 4 * 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

function isCall(v: unknown): v is CallMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    m.type === 'call' &&
    typeof m.id === 'number' &&
    Number.isSafeInteger(m.id) &&
    typeof m.method === 'string' &&
    Array.isArray(m.args) &&
    m.args.length <= 4
  );
}

async function dispatch(api: DesktopApi, msg: CallMessage): Promise<Result<unknown>> {
  const key = msg.method as keyof typeof ipcSchema;
  const entry = Object.hasOwn(ipcSchema, key) ? ipcSchema[key] : undefined;
  if (entry?.kind !== 'invoke')
    return { ok: false, error: { code: 'bad_request', message: 'unknown method' } };
  if (!(entry.validate as (a: readonly unknown[]) => boolean)(msg.args)) {
    return { ok: false, error: { code: 'bad_request', message: `invalid arguments for ${key}` } };
  }
  const a = msg.args;
  switch (msg.method) {
    case 'getSnapshot':
      return api.getSnapshot();
    case 'connect':
      return api.connect();
    case 'disconnect':
      return api.disconnect();
    case 'setInterfaceEnabled':
      return api.setInterfaceEnabled(a[0] as string, a[1] as boolean);
    case 'setMode':
      return api.setMode(a[0] as Parameters<DesktopApi['setMode']>[0]);
    case 'setScheduler':
      return api.setScheduler(a[0] as Parameters<DesktopApi['setScheduler']>[0]);
  }
}

export async function startWebBridge(opts: WebBridgeOptions): Promise<WebBridge> {
  const files = loadStaticFiles(opts.staticDir);
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const maxClients = opts.maxClients ?? 16;
  const log = opts.log ?? (() => {});
  const clients = new Set<WebSocket>();
  let port = 0;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    perMessageDeflate: false,
  });

  const refuse = (res: http.ServerResponse, status: number, text: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = checkRequest(
      {
        host: req.headers.host,
        origin: req.headers.origin,
        cookie: req.headers.cookie,
        queryToken: url.searchParams.get(TOKEN_PARAM),
        isWebSocket: false,
      },
      port,
      token,
    );
    if (!verdict.ok) {
      log(`refused ${req.method} ${url.pathname}: ${verdict.reason}`);
      return refuse(res, verdict.status, 'Forbidden');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file: StaticFile | undefined = files.get(path);
    if (!file) return refuse(res, 404, 'Not found');
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': file.type,
      'Content-Length': String(file.body.length),
    };
    if (file.immutable) headers['Cache-Control'] = 'private, max-age=31536000, immutable';
    if (verdict.setCookie)
      headers['Set-Cookie'] = `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = checkRequest(
      {
        host: req.headers.host,
        origin: req.headers.origin,
        cookie: req.headers.cookie,
        queryToken: url.searchParams.get(TOKEN_PARAM),
        isWebSocket: true,
      },
      port,
      token,
    );
    if (url.pathname !== WS_PATH || !verdict.ok || clients.size >= maxClients) {
      log(
        `refused WebSocket: ${verdict.ok ? (url.pathname !== WS_PATH ? 'wrong path' : 'too many clients') : verdict.reason}`,
      );
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onClient(ws));
  });

  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > DROP_CLIENT_ABOVE_BYTES) {
      ws.terminate();
      return;
    }
    if (msg.type === 'event' && msg.event.kind === 'stats' && ws.bufferedAmount > SKIP_STATS_ABOVE_BYTES)
      return;
    ws.send(JSON.stringify(msg));
  };

  const onClient = (ws: WebSocket) => {
    clients.add(ws);
    const unsubscribe = opts.api.subscribe((event: BridgeEvent) => send(ws, { type: 'event', event }));
    void opts.api.getSnapshot().then((r) => {
      if (r.ok) send(ws, { type: 'event', event: { kind: 'snapshot', snapshot: r.value } });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return ws.close(1007, 'not JSON');
      }
      if (!isCall(parsed)) return ws.close(1008, 'bad message');
      const msg = parsed;
      void dispatch(opts.api, msg).then(
        (result) => send(ws, { type: 'reply', id: msg.id, result }),
        () =>
          send(ws, {
            type: 'reply',
            id: msg.id,
            result: { ok: false, error: { code: 'internal', message: 'internal error' } },
          }),
      );
    });
    ws.on('close', () => {
      clients.delete(ws);
      unsubscribe();
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: opts.port ?? 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`;
  log(`dashboard at http://127.0.0.1:${port}/ (token in the URL printed at start)`);

  return {
    port,
    token,
    url,
    get clientCount() {
      return clients.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
