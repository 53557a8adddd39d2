// Child process for native-addon.test.ts: a read callback that throws must surface exactly once
// as an uncaught exception, and must not be called again (no exception storm). Prints JSON.
import { NativeUdpPort } from '../../../app/helper/io/native-udp.ts';
import { batchOf, loopTurns } from './udp-helpers.ts';

let uncaught = 0;
let calls = 0;
process.on('uncaughtException', () => {
  uncaught++;
});
const a = NativeUdpPort.open({ address: '127.0.0.1' });
const b = NativeUdpPort.open({ address: '127.0.0.1' });
b.onReadable(() => {
  calls++;
  throw new Error('boom');
});
const out = batchOf(1);
out.push(Buffer.from('x'), b.localAddress.ip, b.localAddress.port);
a.sendBatch(out);
await loopTurns(50);
// The datagram is still queued: reading it shows nothing was lost.
const pending = b.recvBatch(batchOf(4));
a.close();
b.close();
console.log(JSON.stringify({ uncaught, calls, pending }));
