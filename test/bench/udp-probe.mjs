// Small-UDP loss probe for the benchmarks (one-way, sequence-numbered datagrams).
//   node udp-probe.mjs recv BIND PORT COUNT TIMEOUT_S   -> prints {received, distinct, duplicates, reordered}
//   node udp-probe.mjs send HOST PORT COUNT INTERVAL_MS SIZE -> prints {sent}
// The receiver exits when it has COUNT distinct sequence numbers, 1 s after the sender's end
// markers (5 of them, 20 ms apart), or after TIMEOUT_S.
import { createSocket } from 'node:dgram';

const [mode, host, port, countS, a, b] = process.argv.slice(2);
const count = Number(countS);
/** Sequence number of the end markers the sender repeats after its last datagram. */
const END = 0xffffffff;

if (mode === 'recv') {
  const seen = new Uint8Array(count);
  let received = 0;
  let distinct = 0;
  let duplicates = 0;
  let reordered = 0;
  let maxSeq = -1;
  let ending = null;
  const sock = createSocket('udp4');
  const done = () => {
    console.log(JSON.stringify({ received, distinct, duplicates, reordered }));
    sock.close();
    process.exit(0);
  };
  const timer = setTimeout(done, Number(a) * 1000);
  sock.on('message', (m) => {
    if (m.length < 4) return;
    const seq = m.readUInt32BE(0);
    if (seq === END) {
      // The sender is done; stragglers (a slow path's copy) get one more second.
      if (!ending) ending = setTimeout(done, 1000);
      return;
    }
    received++;
    if (seq >= count) return;
    if (seen[seq]) duplicates++;
    else {
      seen[seq] = 1;
      distinct++;
    }
    if (seq < maxSeq) reordered++;
    else maxSeq = seq;
    if (distinct === count) {
      clearTimeout(timer);
      done();
    }
  });
  sock.bind(Number(port), host, () => console.error('listening'));
} else if (mode === 'send') {
  const interval = Number(a);
  const size = Math.max(4, Number(b ?? 64));
  const sock = createSocket('udp4');
  const buf = Buffer.alloc(size);
  let seq = 0;
  const tick = setInterval(() => {
    buf.writeUInt32BE(seq, 0);
    sock.send(buf, Number(port), host);
    if (++seq >= count) {
      clearInterval(tick);
      const sent = seq;
      let marks = 0;
      const end = setInterval(() => {
        buf.writeUInt32BE(END, 0);
        sock.send(buf, Number(port), host);
        if (++marks >= 5) {
          clearInterval(end);
          setTimeout(() => {
            console.log(JSON.stringify({ sent }));
            sock.close();
          }, 100);
        }
      }, 20);
    }
  }, interval);
} else {
  console.error('usage: udp-probe.mjs recv|send ...');
  process.exit(2);
}
