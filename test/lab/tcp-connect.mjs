// TCP connect timing for lab tests.
//   node tcp-connect.mjs serve HOST PORT TIMEOUT_S   accepts and closes connections until the timeout
//   node tcp-connect.mjs time HOST PORT COUNT        connects COUNT times, 50 ms apart; prints JSON ms
import { connect, createServer } from 'node:net';

const [mode, host, port, n = '10'] = process.argv.slice(2);
if (mode === 'serve') {
  const server = createServer((sock) => sock.destroy());
  setTimeout(() => process.exit(0), Number(n) * 1000).unref();
  server.listen(Number(port), host, () => console.error('listening'));
} else {
  const times = [];
  for (let i = 0; i < Number(n); i++) {
    const t0 = performance.now();
    const ms = await new Promise((resolve) => {
      const s = connect(Number(port), host, () => {
        resolve(performance.now() - t0);
        s.destroy();
      });
      s.setTimeout(5000, () => s.destroy(new Error('timeout')));
      s.on('error', () => resolve(-1));
    });
    times.push(Math.round(ms * 10) / 10);
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(JSON.stringify(times));
}
