// TCP sink for lab transfers: accepts one connection, hashes everything, prints JSON, exits.
// Usage: node tcp-sink.mjs HOST PORT TIMEOUT_S
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';

const [host, port, timeoutS = '120'] = process.argv.slice(2);
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: 'timeout' }));
  process.exit(2);
}, Number(timeoutS) * 1000);
const server = createServer((sock) => {
  const h = createHash('sha256');
  let bytes = 0;
  sock.on('data', (d) => {
    bytes += d.length;
    h.update(d);
  });
  sock.on('end', () => {
    console.log(JSON.stringify({ bytes, sha256: h.digest('hex') }));
    clearTimeout(timer);
    server.close();
    sock.end();
  });
  sock.on('error', (e) => {
    console.log(JSON.stringify({ error: e.message, bytes }));
    process.exit(1);
  });
});
server.listen(Number(port), host, () => console.error('listening'));
