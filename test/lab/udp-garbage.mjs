// Sends COUNT random UDP payloads (sizes 1..1400) at HOST:PORT from one socket, paced in bursts,
// then listens LISTEN_MS more and prints how many datagrams came back. Bounded in count and time.
// Usage: node udp-garbage.mjs HOST PORT COUNT LISTEN_MS [SHORT_HEADER_FRACTION]
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const [host, port, count, listenMs = '1000', shortFrac = '0.5'] = process.argv.slice(2);
const sock = createSocket('udp4');
let replies = 0;
sock.on('message', () => replies++);
sock.bind(0, () => {
  let sent = 0;
  const burst = () => {
    for (let i = 0; i < 200 && sent < Number(count); i++, sent++) {
      const len = 1 + Math.floor(Math.random() * 1400);
      const b = randomBytes(len);
      // Half look like QUIC short-header packets (fixed bit set, long-header bit clear).
      if (Math.random() < Number(shortFrac)) b[0] = (b[0] & 0x3f) | 0x40;
      sock.send(b, Number(port), host);
    }
    if (sent < Number(count)) setTimeout(burst, 5);
    else
      setTimeout(() => {
        console.log(JSON.stringify({ sent, replies }));
        sock.close();
      }, Number(listenMs));
  };
  burst();
});
