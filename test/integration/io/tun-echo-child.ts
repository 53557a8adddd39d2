// Runs INSIDE a network namespace made by tun-netns.test.ts (argv: subnet third octet). Opens a
// TUN at 198.18.N.1/24 and answers, from user space, everything the kernel routes to
// 198.18.N.2: ICMP echo requests (from `ping`) and UDP datagrams (echoed back, ports swapped).
// Also checks root-only error paths. Prints one JSON line; exits 0 unless setup itself failed.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { NativeTunPort, openTunPort } from '../../../app/helper/io/native-tun.ts';
import { PacketBatch } from '../../../app/helper/io/packet-batch.ts';
import { native } from '../../../native/index.ts';

const octet = Number(process.argv[2] ?? '77');
const local = `198.18.${octet}.1`;
const remote = `198.18.${octet}.2`;
const NAME = 'qe-it0';
const result: Record<string, unknown> = {};

function checksum(b: Buffer, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end - 1; i += 2) sum += b.readUInt16BE(i);
  if ((end - start) & 1) sum += (b[end - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Turns packet i of `b` into its reply in place; returns false for packets we do not answer. */
function makeReply(b: PacketBatch, i: number): boolean {
  const off = b.offsets[i] ?? 0;
  const len = b.lens[i] ?? 0;
  const s = b.slab;
  if (len < 20 || (s[off] ?? 0) >> 4 !== 4) return false;
  const ihl = ((s[off] ?? 0) & 15) * 4;
  const proto = s[off + 9];
  // Swap source and destination addresses: the IP header checksum is unchanged by a swap.
  const src = s.readUInt32BE(off + 12);
  s.writeUInt32BE(s.readUInt32BE(off + 16), off + 12);
  s.writeUInt32BE(src, off + 16);
  const l4 = off + ihl;
  if (proto === 1 && s[l4] === 8) {
    s[l4] = 0; // echo reply
    s.writeUInt16BE(0, l4 + 2);
    s.writeUInt16BE(checksum(s, l4, off + len), l4 + 2);
    return true;
  }
  if (proto === 17) {
    const sp = s.readUInt16BE(l4);
    s.writeUInt16BE(s.readUInt16BE(l4 + 2), l4);
    s.writeUInt16BE(sp, l4 + 2); // swapping ports and addresses keeps the UDP checksum valid
    return true;
  }
  return false;
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: 'ignore' });
    p.on('exit', (code) => resolve(code ?? -1));
    p.on('error', () => resolve(-2));
  });
}

const opened = openTunPort({ name: NAME, mtu: 1420, address: local, prefixLength: 24 });
if (!opened.ok) {
  console.log(JSON.stringify({ setupError: opened.error }));
  process.exit(1);
}
const tun = opened.port;
result.name = tun.name;

// Root-only error paths: the name is taken (EBUSY), and an MTU below IPv4's minimum (EINVAL).
const dup = openTunPort({ name: NAME, mtu: 1420 });
result.dupError = dup.ok ? null : dup.error;
if (dup.ok) dup.port.close();
try {
  const t = new (native as NonNullable<typeof native>).Tun('qe-it1');
  try {
    t.configure({ mtu: 20 });
  } finally {
    t.close();
  }
  result.mtuError = null;
} catch (e) {
  result.mtuError = { code: (e as { code?: string }).code, message: (e as Error).message };
}

const batch = new PacketBatch({ capacity: 32, slotSize: 2048, headroom: 0 });
const replies = new PacketBatch({ capacity: 32, slotSize: 2048 });
let requests = 0;
let answered = 0;
let readCalls = 0;
tun.onReadable(() => {
  for (let round = 0; round < 16; round++) {
    const n = tun.readBatch(batch);
    readCalls++;
    if (n === 0) break;
    replies.reset();
    for (let i = 0; i < n; i++) {
      requests++;
      if (makeReply(batch, i)) replies.push(batch.packet(i));
    }
    answered += tun.writeBatch(replies);
    if (n < batch.capacity) break;
  }
});

// A malformed packet (IP version 0) is dropped and counted, and does not stop the batch.
const junk = new PacketBatch({ capacity: 1, slotSize: 64 });
junk.push(Buffer.alloc(28));
result.junkConsumed = tun.writeBatch(junk);
result.junkStats = tun.stats();

result.ping = await run('ping', ['-c', '3', '-i', '0.2', '-W', '2', '-n', '-q', remote]);

// UDP through the TUN: a socket sends to 198.18.N.2; our echo sends it back.
const sock = dgram.createSocket('udp4');
await new Promise<void>((r) => sock.bind(0, local, r));
const echoed = new Promise<string>((resolve) => {
  const t = setTimeout(() => resolve('timeout'), 5000);
  sock.once('message', (m, rinfo) => {
    clearTimeout(t);
    resolve(`${m.toString()} from ${rinfo.address}:${rinfo.port}`);
  });
});
sock.send(Buffer.from('hello-tun'), 4242, remote);
result.udp = await echoed;
sock.close();

tun.close();
result.requests = requests;
result.answered = answered;
result.readCalls = readCalls;
result.closedRead = (() => {
  try {
    tun.readBatch(batch);
    return 'no error';
  } catch (e) {
    return (e as { code?: string }).code;
  }
})();
result.isNative = tun instanceof NativeTunPort;
console.log(JSON.stringify(result));
