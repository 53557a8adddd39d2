// In-process client <-> listener wiring for the QUIC driver tests: packets move between
// PacketBatches, no sockets. Not a test file itself.
import { performance } from 'node:perf_hooks';
import type { NodeId } from '../../../app/core/types.ts';
import { generateIdentity, type Identity } from '../../../app/helper/identity/index.ts';
import {
  type HostPort,
  PacketBatch,
  QuicConn,
  type QuicConnectOptions,
  QuicListener,
  type QuicListenerOptions,
} from '../../../app/helper/quic/index.ts';

export const SERVER_ADDR: HostPort = { host: '127.0.0.1', port: 40000 };
export const CLIENT_ADDR: HostPort = { host: '127.0.0.1', port: 40001 };

let cached: Promise<Identity[]> | null = null;
/** Three identities, generated once per test file: a, b and a stranger. */
export function identities(): Promise<Identity[]> {
  cached ??= Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
  return cached;
}

export interface Pair {
  client: QuicConn;
  listener: QuicListener;
  server: () => QuicConn | null;
  serverPeer: () => NodeId | null;
  /** Moves packets both ways until quiet or `maxRounds`; returns packets moved. */
  pump(maxRounds?: number): number;
  /** Packets moved in each direction. */
  stats: { toServer: number; toClient: number };
  /** The client's own (local) address; change it after client.migrate(). */
  clientLocal: HostPort;
  /** If set, the address the server sees the client at (a NAT rebinding the client does not know about). */
  natAs: HostPort | null;
}

export function now(): number {
  return performance.now();
}

export function makePair(
  clientOpts: Omit<QuicConnectOptions, 'local' | 'remote'>,
  listenerOpts: Omit<QuicListenerOptions, 'onConnection'> & {
    onConnection?: QuicListenerOptions['onConnection'];
  },
  clientAddr: HostPort = CLIENT_ADDR,
): Pair {
  let server: QuicConn | null = null;
  let serverPeer: NodeId | null = null;
  const listener = new QuicListener({
    ...listenerOpts,
    onConnection: (c, peer) => {
      server = c;
      serverPeer = peer;
      listenerOpts.onConnection?.(c, peer);
    },
  });
  const client = QuicConn.connect({ ...clientOpts, local: clientAddr, remote: SERVER_ADDR });
  const a = new PacketBatch(256);
  const b = new PacketBatch(256);
  const stats = { toServer: 0, toClient: 0 };
  const pair: Pair = {
    clientLocal: clientAddr,
    natAs: null,
    client,
    listener,
    server: () => server,
    serverPeer: () => serverPeer,
    stats,
    pump(maxRounds = 50) {
      let moved = 0;
      for (let round = 0; round < maxRounds; round++) {
        a.clear();
        client.flush(a);
        const seenAs = pair.natAs ?? pair.clientLocal;
        for (let i = 0; i < a.count; i++) {
          listener.handlePacket(a.buffers[i] as Uint8Array, a.lengths[i] ?? 0, seenAs, SERVER_ADDR, now());
        }
        b.clear();
        listener.flush(b);
        for (let i = 0; i < b.count; i++) {
          const to = b.destinations[i];
          // a packet for an address the client does not (or no longer) own(s) is lost, unless it is the NAT's
          if (to === undefined || (to.port !== seenAs.port && to.port !== pair.clientLocal.port)) continue;
          client.recvPacket(b.buffers[i] as Uint8Array, b.lengths[i] ?? 0, SERVER_ADDR, pair.clientLocal);
        }
        stats.toServer += a.count;
        stats.toClient += b.count;
        moved += a.count + b.count;
        if (a.count === 0 && b.count === 0) {
          // let quiche fire due timers (ack delay, PTO) before deciding we are quiet
          if (client.timeoutMs() === 0 || listener.timeoutMs() === 0) {
            client.onTimeout();
            listener.onTimeout(now());
            continue;
          }
          break;
        }
      }
      return moved;
    },
  };
  return pair;
}
