// One client connection to the control socket.
//
//   awaiting-hello ──hello ok──► ready ──(socket closes | fatal)──► closed
//        │ bad/late hello, version mismatch, framing error
//        └──────────────────────────────► fatal frame, then closed
//
// Every frame is validated with the protocol schema; every request's permission is decided
// when it arrives, from the caller's OS identity (roleFor), never cached from the hello.
// Memory per connection is bounded: one partial inbound frame (≤ MAX_CLIENT_FRAME_BYTES), at
// most MAX_IN_FLIGHT requests, and reading pauses while outbound bytes exceed
// MAX_OUTBOUND_BYTES (a client that sends but never reads stops being read).
import type net from 'node:net';
import type { WireError } from '../../protocol/errors.ts';
import { ControlError } from '../../protocol/errors.ts';
import { decodePayload, describeFrameError, encodeFrame, FrameDecoder } from '../../protocol/framing.ts';
import { isMethodName, type MethodName, methods, type ParamsOf } from '../../protocol/methods.ts';
import type { Role, ServerMessage } from '../../protocol/schema.ts';
import { HelloSchema, RequestEnvelopeSchema, SnapshotEventSchema } from '../../protocol/schema.ts';
import {
  MAX_CLIENT_FRAME_BYTES,
  MAX_SERVER_FRAME_BYTES,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from '../../protocol/version.ts';
import type { HelperApi } from './helper-api.ts';
import type { PeerCredentials } from './peer-credentials.ts';
import { WatchStream } from './watch-stream.ts';

/** Requests being served at once per connection; more pauses reading. */
export const MAX_IN_FLIGHT = 16;
/** Outbound bytes above which the connection stops reading requests until the socket drains. */
export const MAX_OUTBOUND_BYTES = 256 * 1024;
/** Watches per connection: one UI needs one; a few allow different intervals. */
export const MAX_WATCHES_PER_CONNECTION = 4;

export interface ConnectionDeps {
  helper: HelperApi;
  helperVersion: string;
  /** Resolves the caller's credentials (once: SO_PEERCRED is fixed at connect time). */
  credentials: Promise<PeerCredentials | null>;
  /** Decides the role for each request (re-reads group membership). */
  roleOf: (creds: PeerCredentials | null) => Role;
  helloTimeoutMs: number;
  log: (level: 'info' | 'warn', msg: string) => void;
  onClose: () => void;
}

export class ControlConnection {
  private readonly decoder = new FrameDecoder(MAX_CLIENT_FRAME_BYTES);
  private readonly watches = new Map<number, WatchStream>();
  private greeted = false;
  /** Set once the welcome is out; frames that arrive between hello and welcome wait in `early`. */
  private welcomed = false;
  private early: unknown[] = [];
  private closed = false;
  private inFlight = 0;
  private nextWatchId = 1;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    readonly socket: net.Socket,
    private readonly d: ConnectionDeps,
  ) {
    this.helloTimer = setTimeout(
      () => this.fatal({ code: 'hello_required', message: 'no hello in time' }),
      d.helloTimeoutMs,
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => {}); // peer resets are normal; 'close' follows
    socket.on('close', () => this.teardown());
  }

  /** Numbers for tests and diagnostics. */
  stats(): { writableLength: number; watches: number; coalescedTotal: number; samplesSent: number } {
    let coalescedTotal = 0;
    let samplesSent = 0;
    for (const w of this.watches.values()) {
      coalescedTotal += w.coalescedTotal;
      samplesSent += w.sent;
    }
    return {
      writableLength: this.socket.writableLength,
      watches: this.watches.size,
      coalescedTotal,
      samplesSent,
    };
  }

  /** Sends a connection-level error and closes. */
  fatal(error: WireError): void {
    if (this.closed) return;
    this.send({ type: 'fatal', error });
    this.teardown();
    this.socket.end();
    // A peer that never reads must not keep the socket open: force it shut shortly after.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  close(): void {
    this.teardown();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const payload of this.decoder.push(chunk)) {
      const decoded = decodePayload(payload);
      if (!decoded.ok) {
        this.fatal({ code: 'bad_frame', message: decoded.error });
        return;
      }
      if (!this.greeted) this.onHello(decoded.value);
      else if (!this.welcomed) {
        this.early.push(decoded.value);
        if (this.early.length > MAX_IN_FLIGHT) {
          this.fatal({ code: 'bad_request', message: 'too many requests before the welcome' });
          return;
        }
      } else this.onRequest(decoded.value);
      if (this.closed) return;
    }
    const fe = this.decoder.error;
    if (fe)
      this.fatal({
        code: fe.kind === 'too_large' ? 'frame_too_large' : 'bad_frame',
        message: describeFrameError(fe),
      });
  }

  private onHello(value: unknown): void {
    const hello = HelloSchema.safeParse(value);
    if (!hello.success) {
      this.fatal({ code: 'hello_required', message: 'the first frame must be a hello' });
      return;
    }
    const v = hello.data.version;
    if (v < MIN_PROTOCOL_VERSION || v > PROTOCOL_VERSION) {
      this.fatal({
        code: 'version_mismatch',
        message: `protocol version ${v} is not supported (helper speaks ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION})`,
        supported: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
      });
      return;
    }
    this.greeted = true;
    clearTimeout(this.helloTimer);
    this.socket.pause(); // nothing else is read until the welcome (with the role) is out
    void this.d.credentials.then((creds) => {
      if (this.closed) return;
      this.send({
        type: 'welcome',
        version: PROTOCOL_VERSION,
        role: this.d.roleOf(creds),
        helperVersion: this.d.helperVersion,
      });
      this.welcomed = true;
      const early = this.early;
      this.early = [];
      for (const v of early) if (!this.closed) this.onRequest(v);
      this.updateFlow();
    });
  }

  private onRequest(value: unknown): void {
    const env = RequestEnvelopeSchema.safeParse(value);
    if (!env.success) {
      const id = (value as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        this.respondError(id, { code: 'bad_request', message: 'malformed request envelope' });
        return;
      }
      if ((value as { type?: unknown } | null)?.type === 'hello') return; // a repeated hello is harmless
      this.fatal({ code: 'bad_request', message: 'malformed request envelope' });
      return;
    }
    const { id, method } = env.data;
    if (!isMethodName(method)) {
      this.respondError(id, { code: 'unknown_method', message: `unknown method ${method.slice(0, 64)}` });
      return;
    }
    const params = methods[method].params.safeParse(env.data.params ?? {});
    if (!params.success) {
      this.respondError(id, { code: 'bad_request', message: `invalid params for ${method}` });
      return;
    }
    this.inFlight++;
    this.updateFlow();
    void this.serve(id, method, params.data)
      .catch((e: unknown) =>
        this.respondError(
          id,
          toWireError(e, (m) => this.d.log('warn', `${method} failed: ${m}`)),
        ),
      )
      .finally(() => {
        this.inFlight--;
        this.updateFlow();
      });
  }

  private async serve(id: number, method: MethodName, params: unknown): Promise<void> {
    const spec = methods[method];
    if (spec.admin) {
      const role = this.d.roleOf(await this.d.credentials);
      if (role !== 'admin') {
        this.respondError(id, {
          code: 'permission_denied',
          message: `${method} needs an admin (root or the admin group)`,
        });
        return;
      }
    }
    if (method === 'watch') {
      await this.startWatch(id, (params as { intervalMs: number }).intervalMs);
      return;
    }
    if (method === 'unwatch') {
      const w = this.watches.get((params as { watchId: number }).watchId);
      if (!w) {
        this.respondError(id, { code: 'not_found', message: 'no such watch' });
        return;
      }
      w.stop();
      this.watches.delete(w.watchId);
      this.respondOk(id, method, {});
      return;
    }
    const h = this.d.helper;
    const result = await (() => {
      switch (method) {
        case 'status':
          return h.status();
        case 'connect':
          return h.connect();
        case 'disconnect':
          return h.disconnect();
        case 'listInterfaces':
          return h.listInterfaces();
        case 'setInterfaceEnabled': {
          const p = params as ParamsOf<'setInterfaceEnabled'>;
          return h.setInterfaceEnabled(p.name, p.enabled);
        }
        case 'setMode':
          return h.setMode((params as ParamsOf<'setMode'>).mode);
        case 'setScheduler':
          return h.setScheduler((params as ParamsOf<'setScheduler'>).scheduler);
        case 'listPeers':
          return h.listPeers();
      }
    })();
    this.respondOk(id, method, result);
  }

  private async startWatch(id: number, intervalMs: number): Promise<void> {
    if (this.watches.size >= MAX_WATCHES_PER_CONNECTION) {
      this.respondError(id, {
        code: 'too_many_watches',
        message: `at most ${MAX_WATCHES_PER_CONNECTION} watches per connection`,
      });
      return;
    }
    // Gather the snapshot first: if the helper fails, the watch request fails as a whole.
    const h = this.d.helper;
    const [status, interfaces, peers] = await Promise.all([h.status(), h.listInterfaces(), h.listPeers()]);
    if (this.closed) return;
    const watchId = this.nextWatchId++;
    const snapshot = SnapshotEventSchema.safeParse({
      type: 'event',
      watchId,
      kind: 'snapshot',
      status,
      interfaces,
      peers,
      sample: h.sample(),
    });
    if (!snapshot.success) {
      this.d.log('warn', `helper produced an invalid snapshot: ${snapshot.error.message}`);
      this.respondError(id, { code: 'internal', message: 'the helper produced an invalid snapshot' });
      return;
    }
    const sock = this.socket;
    const stream = new WatchStream(watchId, intervalMs, h, {
      get writableLength() {
        return sock.writableLength;
      },
      send: (msg) => this.send(msg),
      onBadSample: (err) => this.d.log('warn', `helper produced an invalid sample: ${err}`),
    });
    this.watches.set(watchId, stream);
    // Response, then snapshot, then samples: the client registers its handler on the response.
    this.respondOk(id, 'watch', { watchId });
    this.send(snapshot.data);
    stream.start();
  }

  private respondOk(id: number, method: MethodName, result: unknown): void {
    // Outgoing results are validated too: a HelperApi bug must not put garbage on the wire.
    const checked = methods[method].result.safeParse(result);
    if (!checked.success) {
      this.d.log('warn', `${method} returned an invalid result: ${checked.error.message}`);
      this.respondError(id, { code: 'internal', message: 'the helper produced an invalid result' });
      return;
    }
    this.send({ type: 'response', id, ok: true, result: checked.data });
  }

  private respondError(id: number, error: WireError): void {
    this.send({ type: 'response', id, ok: false, error });
  }

  private send(msg: ServerMessage): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    try {
      this.socket.write(encodeFrame(msg, MAX_SERVER_FRAME_BYTES));
    } catch (e) {
      this.d.log('warn', `dropped an outgoing frame: ${(e as Error).message}`);
    }
  }

  private onDrain(): void {
    for (const w of this.watches.values()) w.onDrain();
    this.updateFlow();
  }

  /** Pauses reading while too much is in flight or buffered outbound; resumes otherwise. */
  private updateFlow(): void {
    if (this.closed || !this.welcomed) return;
    const congested = this.inFlight >= MAX_IN_FLIGHT || this.socket.writableLength > MAX_OUTBOUND_BYTES;
    if (congested) this.socket.pause();
    else this.socket.resume();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
    this.d.onClose();
  }
}

function toWireError(e: unknown, logInternal: (m: string) => void): WireError {
  if (e instanceof ControlError) return e.toWire();
  logInternal(e instanceof Error ? e.message : String(e));
  return { code: 'internal', message: 'internal helper error (see the helper log)' };
}
