// Microbenchmark (not a test): UDP packets/s over loopback with 1300-byte datagrams, native
// recvmmsg/sendmmsg vs the node:dgram fallback, through the same UdpPort interface.
//   node --import tsx test/bench/udp-batch.ts [secondsPerCase=2]
// Prints one JSON object. Each case is bounded in time; traffic goes to 127.0.0.1 only.
//
// "pump" cases: event-driven like the data plane: a window of WINDOW datagrams in flight; each
// readable callback drains the receiver in batches and refills the window from the sender.
// "sync" case (native only): send a batch, read it back, in a tight loop without the event loop:
// the ceiling of the syscall path itself.
import { DgramUdpPort } from '../../app/helper/io/dgram-udp.ts';
import { NativeUdpPort } from '../../app/helper/io/native-udp.ts';
import { PacketBatch } from '../../app/helper/io/packet-batch.ts';
import type { UdpPort } from '../../app/helper/io/ports.ts';
import { native } from '../../native/index.ts';

const SECONDS = Number(process.argv[2] ?? '2');
const SIZE = 1300;
const BATCH = 64;
const WINDOW = 512;
const BUF = 8 << 20;

interface Result {
  packetsPerSec: number;
  mbitPerSec: number;
  packets: number;
  seconds: number;
  rxDropped: number;
}

function fill(b: PacketBatch, to: UdpPort): void {
  b.reset();
  const p = Buffer.alloc(SIZE, 0xab);
  for (let i = 0; i < b.capacity; i++) b.push(p, to.localAddress.ip, to.localAddress.port);
}

function result(packets: number, ms: number, rxDropped: number): Result {
  const s = ms / 1000;
  return {
    packetsPerSec: Math.round(packets / s),
    mbitPerSec: Math.round((packets * SIZE * 8) / s / 1e6),
    packets,
    seconds: Number(s.toFixed(2)),
    rxDropped,
  };
}

async function pump(a: UdpPort, b: UdpPort): Promise<Result> {
  const out = new PacketBatch({ capacity: BATCH, slotSize: 2048 });
  const inb = new PacketBatch({ capacity: BATCH, slotSize: 2048 });
  fill(out, b);
  let inFlight = 0;
  let received = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  const refill = (): void => {
    while (inFlight + BATCH <= WINDOW) {
      const n = a.sendBatch(out);
      inFlight += n;
      if (n < BATCH) {
        a.onWritable(refill);
        return;
      }
    }
  };
  await new Promise<void>((resolve) => {
    b.onReadable(() => {
      for (;;) {
        const n = b.recvBatch(inb);
        received += n;
        inFlight -= n;
        if (n < BATCH) break;
      }
      if (performance.now() >= deadline) {
        b.onReadable(null);
        resolve();
        return;
      }
      refill();
    });
    refill();
    // A lost datagram would shrink the window for good: a watchdog ends the case regardless.
    setTimeout(resolve, SECONDS * 1000 + 2000).unref();
  });
  const r = result(received, performance.now() - start, b.stats().rxDropped);
  a.close();
  b.close();
  return r;
}

function syncNative(): Result {
  const a = NativeUdpPort.open({ address: '127.0.0.1', recvBufferSize: BUF, sendBufferSize: BUF });
  const b = NativeUdpPort.open({ address: '127.0.0.1', recvBufferSize: BUF, sendBufferSize: BUF });
  const out = new PacketBatch({ capacity: BATCH, slotSize: 2048 });
  const inb = new PacketBatch({ capacity: BATCH, slotSize: 2048 });
  fill(out, b);
  let received = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  while (performance.now() < deadline) {
    for (let k = 0; k < 8; k++) {
      a.sendBatch(out);
      received += b.recvBatch(inb);
    }
  }
  const r = result(received, performance.now() - start, b.stats().rxDropped);
  a.close();
  b.close();
  return r;
}

const opts = { address: '127.0.0.1', recvBufferSize: BUF, sendBufferSize: BUF };
const report: Record<string, unknown> = {
  packetSize: SIZE,
  batch: BATCH,
  window: WINDOW,
  secondsPerCase: SECONDS,
};
if (native?.Udp) {
  report.nativeSync = syncNative();
  report.nativePump = await pump(NativeUdpPort.open(opts), NativeUdpPort.open(opts));
} else {
  report.native = 'unavailable';
}
report.dgramPump = await pump(await DgramUdpPort.open(opts), await DgramUdpPort.open(opts));
const n = report.nativePump as Result | undefined;
const d = report.dgramPump as Result;
if (n) report.speedup = Number((n.packetsPerSec / d.packetsPerSec).toFixed(2));
console.log(JSON.stringify(report, null, 2));
