import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { peerCredentialsOf, peerCredentialsSupport, socketFd } from '../../../app/helper/io/peer-cred.ts';

/** A connected pair over `listen` args; returns [server side, client side] and a cleanup. */
async function connectedPair(
  listen: (s: net.Server) => void,
  connect: (s: net.Server) => net.Socket,
): Promise<[net.Socket, net.Socket, () => void]> {
  const server = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => {
    server.once('listening', resolve);
    listen(server);
  });
  const client = connect(server);
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const serverSide = await accepted;
  return [
    serverSide,
    client,
    () => {
      client.destroy();
      serverSide.destroy();
      server.close();
    },
  ];
}

test('peer credentials of a Unix socket client are this process', {
  skip: !peerCredentialsSupport().available,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qe-peercred-'));
  const path = join(dir, 'ctl.sock');
  const [srv, , done] = await connectedPair(
    (s) => s.listen(path),
    () => net.connect(path),
  );
  try {
    assert.ok(socketFd(srv) !== null);
    const c = peerCredentialsOf(srv);
    assert.ok(c);
    assert.equal(c.pid, process.pid);
    assert.equal(c.uid, process.getuid?.());
    assert.equal(c.gid, process.getgid?.());
  } finally {
    done();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a TCP socket yields null, never a fake identity', {
  skip: !peerCredentialsSupport().available,
}, async () => {
  const [srv, , done] = await connectedPair(
    (s) => s.listen(0, '127.0.0.1'),
    (s) => net.connect((s.address() as net.AddressInfo).port, '127.0.0.1'),
  );
  try {
    assert.equal(peerCredentialsOf(srv), null);
  } finally {
    done();
  }
});

test('a destroyed socket has no fd and yields null', async () => {
  const s = new net.Socket();
  s.destroy();
  assert.equal(socketFd(s), null);
  assert.equal(peerCredentialsOf(s), null);
});
