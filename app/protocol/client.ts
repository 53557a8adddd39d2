// Client of the helper's control socket, shared by the CLI, Electron main and the web bridge.
// Every frame from the helper is validated with schema.ts; every failure surfaces as a
// ControlError with a stable code (connection failures map to 'not_running' or
// 'permission_denied' so callers can print one clear sentence).
import net from 'node:net';
import { ControlError } from './errors.ts';
import { decodePayload, describeFrameError, encodeFrame, FrameDecoder } from './framing.ts';
import { type MethodName, methods, type ParamsOf, type ResultOf } from './methods.ts';
import { type Role, type ServerMessage, ServerMessageSchema, type WatchEvent } from './schema.ts';
import { MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES, PROTOCOL_VERSION } from './version.ts';

export interface ClientOptions {
  socketPath: string;
  /** Shown in the helper's log. */
  clientName?: string;
  /** Budget for connect + hello, and for each request. Default 10 s. */
  timeoutMs?: number;
  /** Protocol version to announce; only tests set this. */
  protocolVersion?: number;
}

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: ControlError) => void;
  parse: (v: unknown) => unknown;
  timer: NodeJS.Timeout;
  onOk?: (result: unknown) => void;
};

export type WatchHandler = (event: WatchEvent) => void;

export interface Watch {
  readonly watchId: number;
  /** Ends the subscription (tells the helper; safe to call twice). */
  stop(): Promise<void>;
}

export class ControlClient {
  private readonly decoder = new FrameDecoder(MAX_SERVER_FRAME_BYTES);
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, WatchHandler>();
  private readonly closeHandlers: Array<(err: ControlError | null) => void> = [];
  private nextId = 1;
  private closed: ControlError | null = null;
  role: Role = 'read-only';
  helperVersion = '';
  protocolVersion = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {}

  /** Connects, sends hello and waits for the welcome. Throws ControlError. */
  static connect(opts: ClientOptions): Promise<ControlClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ path: opts.socketPath });
      const client = new ControlClient(socket, timeoutMs);
      let settled = false;
      const finish = (err: ControlError | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(client);
      };
      const timer = setTimeout(
        () => finish(new ControlError('timeout', 'the helper did not answer the hello in time')),
        timeoutMs,
      );
      socket.once('error', (e: NodeJS.ErrnoException) => finish(connectError(e, opts.socketPath)));
      socket.once('connect', () => {
        socket.on('error', () => {}); // reported through 'close'
        socket.write(
          encodeFrame(
            { type: 'hello', version: opts.protocolVersion ?? PROTOCOL_VERSION, client: opts.clientName },
            MAX_CLIENT_FRAME_BYTES,
          ),
        );
      });
      client.onWelcome = () => finish(null);
      client.onFatal = (e) => finish(e);
      socket.on('data', (chunk: Buffer) => client.handleData(chunk));
      socket.on('close', () => {
        client.shutdown(new ControlError('connection_closed', 'the helper closed the connection'));
        finish(client.closed);
      });
    });
  }

  private onWelcome: () => void = () => {};
  private onFatal: (e: ControlError) => void = () => {};

  get isClosed(): boolean {
    return this.closed !== null;
  }

  /** Calls `fn` once when the connection ends (null error = closed by us). */
  onClose(fn: (err: ControlError | null) => void): void {
    this.closeHandlers.push(fn);
  }

  /** Sends one request and resolves with its validated result. */
  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.send(method, params) as Promise<ResultOf<M>>;
  }

  /**
   * Subscribes to statistics. `onEvent` gets the snapshot first, then samples. The handler is
   * registered before any event can arrive, so the snapshot is never missed.
   */
  async watch(intervalMs: number, onEvent: WatchHandler): Promise<Watch> {
    const res = (await this.send('watch', { intervalMs }, (r) => {
      this.watches.set((r as ResultOf<'watch'>).watchId, onEvent);
    })) as ResultOf<'watch'>;
    let stopped = false;
    return {
      watchId: res.watchId,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        this.watches.delete(res.watchId);
        if (!this.closed) await this.request('unwatch', { watchId: res.watchId });
      },
    };
  }

  /** Closes the connection; pending requests fail with 'connection_closed'. */
  close(): void {
    this.shutdown(null);
    this.socket.end();
    this.socket.destroySoon();
  }

  private send(method: MethodName, params: unknown, onOk?: (r: unknown) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ControlError('timeout', `the helper did not answer ${method} in time`));
      }, this.timeoutMs);
      const spec = methods[method];
      this.pending.set(id, {
        resolve,
        reject,
        timer,
        parse: (v) => spec.result.parse(v),
        ...(onOk ? { onOk } : {}),
      });
      this.socket.write(encodeFrame({ type: 'request', id, method, params }, MAX_CLIENT_FRAME_BYTES));
    });
  }

  private handleData(chunk: Buffer): void {
    for (const payload of this.decoder.push(chunk)) {
      const decoded = decodePayload(payload);
      if (!decoded.ok) {
        this.protocolFailure(decoded.error);
        return;
      }
      const parsed = ServerMessageSchema.safeParse(decoded.value);
      if (!parsed.success && isFromTheFuture(decoded.value)) continue; // additive: ignore, don't die
      if (!parsed.success) {
        this.protocolFailure('unexpected message from the helper');
        return;
      }
      const msg = parsed.data;
      switch (msg.type) {
        case 'welcome':
          this.role = msg.role;
          this.helperVersion = msg.helperVersion;
          this.protocolVersion = msg.version;
          this.onWelcome();
          break;
        case 'fatal': {
          const err = new ControlError(msg.error.code, msg.error.message, msg.error.supported);
          this.onFatal(err);
          this.shutdown(err);
          this.socket.destroy();
          return;
        }
        case 'response':
          this.handleResponse(msg);
          break;
        case 'event':
          this.watches.get(msg.watchId)?.(msg);
          break;
      }
    }
    const fe = this.decoder.error;
    if (fe) this.protocolFailure(describeFrameError(fe));
  }

  private handleResponse(msg: Extract<ServerMessage, { type: 'response' }>): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (!msg.ok) {
      p.reject(new ControlError(msg.error.code, msg.error.message, msg.error.supported));
      return;
    }
    let result: unknown;
    try {
      result = p.parse(msg.result);
    } catch {
      p.reject(new ControlError('protocol_error', 'the helper sent a result this client cannot read'));
      return;
    }
    p.onOk?.(result);
    p.resolve(result);
  }

  private protocolFailure(why: string): void {
    const err = new ControlError('protocol_error', `protocol error: ${why}`);
    this.onFatal(err);
    this.shutdown(err);
    this.socket.destroy();
  }

  private shutdown(err: ControlError | null): void {
    if (this.closed) return;
    this.closed = err ?? new ControlError('connection_closed', 'connection closed');
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.closed);
    }
    this.pending.clear();
    this.watches.clear();
    for (const fn of this.closeHandlers) fn(err);
  }
}

function connectError(e: NodeJS.ErrnoException, path: string): ControlError {
  switch (e.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
    case 'ENOTDIR':
      return new ControlError('not_running', `no helper listening at ${path}`);
    case 'EACCES':
    case 'EPERM':
      return new ControlError(
        'permission_denied',
        `not allowed to open ${path} (are you in the quicether group?)`,
      );
    default:
      return new ControlError('connection_closed', `cannot connect to ${path}: ${e.code ?? e.message}`);
  }
}

const KNOWN_TYPES = new Set(['welcome', 'fatal', 'response', 'event']);
const KNOWN_EVENTS = new Set(['snapshot', 'sample']);

/** A message type or event kind this client does not know: a newer helper's addition. */
function isFromTheFuture(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const { type, kind } = v as { type?: unknown; kind?: unknown };
  if (typeof type !== 'string') return false;
  if (!KNOWN_TYPES.has(type)) return true;
  return type === 'event' && typeof kind === 'string' && !KNOWN_EVENTS.has(kind);
}
