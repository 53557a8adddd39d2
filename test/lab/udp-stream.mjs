// Paced UDP for the lab: a sender at a fixed bit rate and a sink that counts, both bounded in time.
//   node udp-stream.mjs send HOST PORT KBITPS SECONDS [PAYLOAD_BYTES]
//   node udp-stream.mjs sink PORT SECONDS
// Prints one JSON line when done. Send errors (e.g. no route while a helper restarts) are counted,
// not fatal: the stream goes on at its pace once the route is back.
import dgram from 'node:dgram';

const [mode, ...rest] = process.argv.slice(2);
const TICK_MS = 5;

if (mode === 'send') {
  const [host, port, kbps, seconds, size = '1200'] = rest;
  const bytesPerMs = (Number(kbps) * 1000) / 8 / 1000;
  const payload = Buffer.alloc(Number(size), 0x5a);
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => {});
  const start = performance.now();
  let sent = 0;
  let errors = 0;
  let inFlight = 0;
  const timer = setInterval(() => {
    const elapsed = performance.now() - start;
    if (elapsed >= Number(seconds) * 1000) return finish();
    // Catch up to the rate, but never burst more than 100 ms worth after a stall.
    const due = Math.min(elapsed * bytesPerMs, sent * payload.length + 100 * bytesPerMs);
    while (sent * payload.length < due && inFlight < 512) {
      sent++;
      inFlight++;
      sock.send(payload, Number(port), host, (err) => {
        inFlight--;
        if (err) errors++;
      });
    }
  }, TICK_MS);
  const finish = () => {
    clearInterval(timer);
    sock.close();
    console.log(JSON.stringify({ sent, errors, bytes: sent * payload.length }));
  };
} else if (mode === 'sink') {
  const [port, seconds] = rest;
  const sock = dgram.createSocket('udp4');
  let packets = 0;
  let bytes = 0;
  sock.on('message', (m) => {
    packets++;
    bytes += m.length;
  });
  sock.bind(Number(port), '0.0.0.0');
  setTimeout(() => {
    sock.close();
    console.log(JSON.stringify({ packets, bytes }));
  }, Number(seconds) * 1000);
} else {
  console.error('usage: udp-stream.mjs send HOST PORT KBITPS SECONDS [SIZE] | sink PORT SECONDS');
  process.exit(2);
}
