// The helper's control server: a Unix socket, never TCP (SECURITY S1/S2, STYLE rule 8).
//
// The socket is created with a restrictive umask (no window where others can connect), then set
// to `socketMode` (default 0660) and group `socketGroup` (default 'quicether'): only root and
// that group can connect at all. Inside, each request's permission comes from the caller's
// credentials (authz.ts). Connections above `maxConnections` get a 'busy' fatal frame and are
// closed; each connection's memory is bounded (connection.ts).
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import type { Role } from '../../protocol/schema.ts';
import { resolveSocketPath } from '../../protocol/version.ts';
import { type AccountDb, fileAccountDb, roleFor } from './authz.ts';
import { ControlConnection } from './connection.ts';
import type { HelperApi } from './helper-api.ts';
import {
  createProcPeerCredentials,
  type PeerCredentialLookup,
  type PeerCredentials,
} from './peer-credentials.ts';

export interface ControlLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface ControlServerOptions {
  helper: HelperApi;
  /** Default: $QUICETHER_SOCKET, else /run/quicether/helper.sock. */
  socketPath?: string;
  /** Default 0o660. Tests use 0o666 to let another uid connect (and be read-only). */
  socketMode?: number;
  /** Group owning the socket; default 'quicether'; null leaves the creator's group. */
  socketGroup?: string | null;
  /** Members may change state; default 'quicether'. Root always may. */
  adminGroup?: string;
  /** Default: the /proc + `ss` fallback; the helper injects SO_PEERCRED from the native addon. */
  peerCredentials?: PeerCredentialLookup;
  accounts?: AccountDb;
  /** Default 256. */
  maxConnections?: number;
  /** Time a client has to send its hello; default 5 s. */
  helloTimeoutMs?: number;
  helperVersion?: string;
  log?: ControlLogger;
}

const silent: ControlLogger = { info: () => {}, warn: () => {} };

export class ControlServer {
  private readonly connections = new Set<ControlConnection>();

  private constructor(
    readonly socketPath: string,
    private readonly server: net.Server,
  ) {}

  static async listen(opts: ControlServerOptions): Promise<ControlServer> {
    const socketPath = resolveSocketPath(opts.socketPath);
    const log = opts.log ?? silent;
    const accounts = opts.accounts ?? fileAccountDb();
    const adminGroup = opts.adminGroup ?? 'quicether';
    const lookup = opts.peerCredentials ?? createProcPeerCredentials();
    const maxConnections = opts.maxConnections ?? 256;
    const roleOf = (c: PeerCredentials | null): Role => roleFor(c, adminGroup, accounts);

    mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
    await removeStaleSocket(socketPath);

    const server = net.createServer({ pauseOnConnect: false });
    const self = new ControlServer(socketPath, server);
    server.on('connection', (socket) => {
      const conn = new ControlConnection(socket, {
        helper: opts.helper,
        helperVersion: opts.helperVersion ?? '0.1.0',
        credentials: Promise.resolve()
          .then(() => lookup(socket))
          .catch(() => null),
        roleOf,
        helloTimeoutMs: opts.helloTimeoutMs ?? 5_000,
        log: (level, msg) => log[level](`control: ${msg}`),
        onClose: () => self.connections.delete(conn),
      });
      if (self.connections.size >= maxConnections) {
        conn.fatal({
          code: 'busy',
          message: `the helper serves at most ${maxConnections} control connections`,
        });
        return;
      }
      self.connections.add(conn);
    });

    // umask 0177 while binding: the socket file is born 0600, so nobody can slip in before chmod.
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(oldMask);
    }
    server.on('error', (e) => log.warn(`control: server error: ${e.message}`));

    const group = opts.socketGroup === undefined ? 'quicether' : opts.socketGroup;
    if (group !== null) {
      const g = accounts.group(group);
      if (g === null)
        log.warn(
          `control: group ${group} does not exist; socket ${socketPath} stays owned by the helper's group`,
        );
      else {
        try {
          chownSync(socketPath, process.getuid?.() ?? 0, g.gid);
        } catch (e) {
          log.warn(`control: cannot give ${socketPath} to group ${group}: ${(e as Error).message}`);
        }
      }
    }
    chmodSync(socketPath, opts.socketMode ?? 0o660);
    log.info(`control: listening on ${socketPath}`);
    return self;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Per-connection numbers (outbound buffer, watches, coalesced samples) for tests/diagnostics. */
  connectionStats(): Array<ReturnType<ControlConnection['stats']>> {
    return [...this.connections].map((c) => c.stats());
  }

  /** Stops accepting, closes every connection and removes the socket file. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already gone
    }
  }
}

/**
 * Removes a socket file left by a crashed helper. Refuses to touch anything that is not a
 * socket, and refuses to start if a live helper answers on it.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = net.createConnection({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another helper is already listening on ${path}`);
  unlinkSync(path);
}
