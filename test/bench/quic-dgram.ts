// Micro-benchmark: 1300-byte DATAGRAMs between two QUIC connections in one process (no sockets).
// The client queues up to BATCH datagrams, flushes once, the packets go through the server's
// QuicListener (CID routing included), the server flushes its ACKs once, and so on. Bounded to
// ~DURATION_MS. Prints one JSON line.
//   node --import tsx test/bench/quic-dgram.ts [cubic|bbr|reno] [batch]
import { performance } from 'node:perf_hooks';
import { generateIdentity } from '../../app/helper/identity/index.ts';
import {
  type CongestionControl,
  type QuicConn as Conn,
  type HostPort,
  PacketBatch,
  QuicConn,
  QuicListener,
} from '../../app/helper/quic/index.ts';

const DURATION_MS = 5000;
const DGRAM = 1300;
const cc = (process.argv[2] ?? 'cubic') as CongestionControl;
const BATCH = Number(process.argv[3] ?? 64);

const S: HostPort = { host: '127.0.0.1', port: 50000 };
const C: HostPort = { host: '127.0.0.1', port: 50001 };
const [a, b] = await Promise.all([generateIdentity(), generateIdentity()]);
let server: Conn | null = null;
const listener = new QuicListener({
  identity: b,
  authorize: a.nodeId,
  cc,
  retry: false,
  onConnection: (c) => (server = c),
});
const client = QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: C, remote: S, cc });
const up = new PacketBatch(Math.max(128, BATCH * 2));
const down = new PacketBatch(256);

function exchange(): void {
  up.clear();
  client.flush(up);
  for (let i = 0; i < up.count; i++)
    listener.handlePacket(up.buffers[i] as Uint8Array, up.lengths[i] ?? 0, C, S, performance.now());
  down.clear();
  listener.flush(down);
  for (let i = 0; i < down.count; i++)
    client.recvPacket(down.buffers[i] as Uint8Array, down.lengths[i] ?? 0, S, C);
}

for (let i = 0; i < 20 && !(client.isEstablished && server); i++) exchange();
const srv = server as Conn | null;
if (srv === null) throw new Error('handshake failed');

const payload = new Uint8Array(DGRAM).fill(0xab);
let queued = 0;
let refused = 0;
let delivered = 0;
let deliveredBytes = 0;
let rounds = 0;
const onDgram = (_b: Uint8Array, len: number): void => {
  delivered++;
  deliveredBytes += len;
};
const t0 = performance.now();
let t = t0;
while (t - t0 < DURATION_MS) {
  for (let k = 0; k < BATCH; k++) {
    if (client.sendDatagram(payload, 0, DGRAM)) queued++;
    else {
      refused++;
      break;
    }
  }
  exchange();
  srv.recvDatagrams(onDgram);
  if (client.timeoutMs() === 0) client.onTimeout();
  if ((++rounds & 63) === 0) {
    listener.onTimeout(performance.now());
    t = performance.now();
  }
}
const secs = (performance.now() - t0) / 1000;
const st = client.stats();
console.log(
  JSON.stringify({
    bench: 'quic-dgram',
    cc,
    batch: BATCH,
    datagramBytes: DGRAM,
    seconds: Number(secs.toFixed(2)),
    datagramsPerSec: Math.round(delivered / secs),
    mbitPerSec: Number(((deliveredBytes * 8) / secs / 1e6).toFixed(1)),
    delivered,
    queued,
    refusedQueueFull: refused,
    lostPackets: st.lost,
    cwnd: st.cwnd,
    rttMs: st.rttMs,
  }),
);
