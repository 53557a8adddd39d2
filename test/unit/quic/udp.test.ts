// The driver over real node:dgram sockets on 127.0.0.1 (loopback only; bounded in time and count).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { type CloseInfo, type HostPort, QuicConn, QuicListener } from '../../../app/helper/quic/index.ts';
import { identities } from './harness.ts';

const LOOP_MS = 5000;

function sender(sock: Socket) {
  return (buf: Uint8Array, len: number, to: HostPort): void => {
    sock.send(Buffer.from(buf.subarray(0, len)), to.port, to.host); // copy: send is asynchronous
  };
}

describe('quic over node:dgram on loopback', () => {
  test('handshake, datagrams, control stream and close over real UDP sockets', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const ss = createSocket('udp4');
    const cs = createSocket('udp4');
    ss.bind(0, '127.0.0.1');
    cs.bind(0, '127.0.0.1');
    await Promise.all([once(ss, 'listening'), once(cs, 'listening')]);
    const S: HostPort = { host: '127.0.0.1', port: ss.address().port };
    const C: HostPort = { host: '127.0.0.1', port: cs.address().port };
    let server: QuicConn | null = null;
    let serverGot = 0;
    let serverControl = '';
    let clientControl = '';
    let serverClose: CloseInfo | null = null;
    const listener = new QuicListener({
      identity: b,
      authorize: a.nodeId,
      onConnection: (c) => {
        server = c;
        c.setHandlers({
          onControl: (chunk) => {
            serverControl += Buffer.from(chunk).toString();
            if (serverControl === 'ping') c.sendControl(Buffer.from('pong'));
          },
          onClosed: (i) => (serverClose = i),
        });
      },
    });
    const client = QuicConn.connect({
      identity: a,
      expectPeer: b.nodeId,
      local: C,
      remote: S,
      onControl: (chunk) => (clientControl += Buffer.from(chunk).toString()),
    });
    const sendS = sender(ss);
    const sendC = sender(cs);
    let timer: NodeJS.Timeout | null = null;
    let scheduled = false;
    const flushAll = (): void => {
      scheduled = false;
      (server as QuicConn | null)?.recvDatagrams(() => serverGot++);
      client.flush(sendC);
      listener.flush(sendS);
      if (timer) clearTimeout(timer);
      const t = Math.min(client.timeoutMs() ?? 1000, listener.timeoutMs() ?? 1000);
      timer = setTimeout(() => {
        client.onTimeout();
        listener.onTimeout(performance.now());
        flushAll();
      }, t);
    };
    const schedule = (): void => {
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAll);
      }
    };
    ss.on('message', (msg, rinfo) => {
      listener.handlePacket(msg, msg.length, { host: rinfo.address, port: rinfo.port }, S, performance.now());
      schedule();
    });
    cs.on('message', (msg, rinfo) => {
      client.recvPacket(msg, msg.length, { host: rinfo.address, port: rinfo.port }, C);
      schedule();
    });
    const until = async (cond: () => boolean): Promise<void> => {
      const end = performance.now() + LOOP_MS;
      while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
    };
    try {
      flushAll();
      await until(() => client.isEstablished && server !== null);
      assert.equal(client.peerNodeId, b.nodeId);
      assert.equal((server as QuicConn | null)?.peerNodeId, a.nodeId);

      const d = new Uint8Array(1300).fill(5);
      let sent = 0;
      // Gentle batches: we do not pace (quiche's SendInfo.at is ignored), and a cwnd-sized burst can
      // overflow a default 208 KiB socket receive buffer on loopback.
      for (let batch = 0; batch < 25; batch++) {
        for (let i = 0; i < 20; i++) if (client.sendDatagram(d, 0, d.length)) sent++;
        schedule();
        await new Promise((r) => setTimeout(r, 4));
      }
      await until(() => serverGot >= sent);
      assert.equal(sent, 500);
      assert.ok(serverGot >= 450, `received ${serverGot} of ${sent} over loopback`);

      client.sendControl(Buffer.from('ping'));
      schedule();
      await until(() => clientControl === 'pong');
      assert.equal(serverControl, 'ping');
      assert.equal(clientControl, 'pong');

      client.close(7, 'done');
      schedule();
      await until(() => serverClose !== null && client.isClosed);
      assert.deepEqual(serverClose, { initiator: 'peer', app: true, code: 7, reason: 'done' });
    } finally {
      if (timer) clearTimeout(timer);
      ss.close();
      cs.close();
    }
  });
});
