// TCP source for lab transfers: sends BYTES of seeded pseudo-random data in one connection,
// hashes what it sent, prints JSON with the hash and a per-interval throughput timeline.
// Usage: node tcp-source.mjs HOST PORT BYTES SEED [INTERVAL_MS]
import { createHash } from 'node:crypto';
import { connect } from 'node:net';

const [host, port, total, seed = '1', intervalMs = '500'] = process.argv.slice(2);
const want = Number(total);
const h = createHash('sha256');
const chunk = Buffer.alloc(64 * 1024);
let x = Number(seed) >>> 0 || 1;
let sent = 0;
const timeline = [];
let lastBytes = 0;
const start = Date.now();
const tick = setInterval(() => {
  timeline.push(sent - lastBytes);
  lastBytes = sent;
}, Number(intervalMs));

function fill(n) {
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    chunk.writeUInt32LE(x >>> 0, i);
  }
}

const sock = connect(Number(port), host, () => {
  const pump = () => {
    while (sent < want) {
      const n = Math.min(chunk.length, want - sent);
      fill(n);
      const piece = Buffer.from(chunk.subarray(0, n));
      h.update(piece);
      sent += n;
      if (!sock.write(piece)) return sock.once('drain', pump);
    }
    sock.end();
  };
  pump();
});
sock.on('close', () => {
  clearInterval(tick);
  timeline.push(sent - lastBytes);
  console.log(
    JSON.stringify({
      bytes: sent,
      sha256: h.digest('hex'),
      ms: Date.now() - start,
      timeline,
      intervalMs: Number(intervalMs),
    }),
  );
});
sock.on('error', (e) => {
  clearInterval(tick);
  console.log(JSON.stringify({ error: e.message, bytes: sent }));
  process.exitCode = 1;
});
