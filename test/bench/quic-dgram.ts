// Micro-benchmark: 1300-byte DATAGRAMs between two QUIC connections in one process (no sockets).
// The client queues up to BATCH datagrams, flushes once, the packets go through the server's
// QuicListener (CID routing included), the server flushes its ACKs once, and so on. Bounded to
// ~DURATION_MS. Prints one JSON line, with the GC pauses seen meanwhile.
//   node --import tsx test/bench/quic-dgram.ts [cubic|bbr|reno] [batch] [v8|paced] [seconds]
// `paced` runs the helper's minor GC after every PACKETS_PER_SCAVENGE packets sent (send-gc.ts);
// `v8` (the default) leaves collections to V8.
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { loadMinorGc, SendGc } from '../../app/helper/dataplane/send-gc.ts';
import { generateIdentity } from '../../app/helper/identity/index.ts';
import {
  type CongestionControl,
  type QuicConn as Conn,
  type HostPort,
  PacketBatch,
  QuicConn,
  QuicListener,
} from '../../app/helper/quic/index.ts';

const DURATION_MS = Number(process.argv[5] ?? 5) * 1000;
const DGRAM = 1300;
const cc = (process.argv[2] ?? 'cubic') as CongestionControl;
const BATCH = Number(process.argv[3] ?? 64);
const GC_MODE = process.argv[4] === 'paced' ? 'paced' : 'v8';
const sendGc = new SendGc(GC_MODE === 'paced' ? loadMinorGc() : null);

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
  sendGc.sent(client.flush(up));
  for (let i = 0; i < up.count; i++)
    listener.handlePacket(up.buffers[i] as Uint8Array, up.lengths[i] ?? 0, C, S, performance.now());
  down.clear();
  sendGc.sent(listener.flush(down));
  for (let i = 0; i < down.count; i++)
    client.recvPacket(down.buffers[i] as Uint8Array, down.lengths[i] ?? 0, S, C);
}

for (let i = 0; i < 20 && !(client.isEstablished && server); i++) exchange();
const srv = server as Conn | null;
if (srv === null) throw new Error('handshake failed');

/** Young-generation pauses (ms) from here on, and the count of full ones. */
const minorPauses: number[] = [];
let majors = 0;
const gcObs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)
      minorPauses.push(e.duration);
    else majors++;
  }
});
gcObs.observe({ entryTypes: ['gc'] });

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
  sendGc.collectIfDue();
  if (client.timeoutMs() === 0) client.onTimeout();
  if ((++rounds & 63) === 0) {
    listener.onTimeout(performance.now());
    t = performance.now();
  }
}
const secs = (performance.now() - t0) / 1000;
const st = client.stats();
await new Promise((r) => setTimeout(r, 50));
gcObs.disconnect();
const sorted = [...minorPauses].sort((x, y) => x - y);
const r2 = (x: number | undefined) => (x === undefined ? null : Number(x.toFixed(2)));
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
    gc: GC_MODE,
    minorGcs: minorPauses.length,
    minorGcMaxMs: r2(sorted[sorted.length - 1]),
    minorGcP50Ms: r2(sorted[sorted.length >> 1]),
    minorGcP90Ms: r2(sorted[Math.floor(sorted.length * 0.9)]),
    minorGcTop: sorted.slice(-5).map(r2),
    minorGcTotalMs: r2(minorPauses.reduce((x, y) => x + y, 0)),
    majorGcs: majors,
    pacedGcRuns: sendGc.runs,
  }),
);
