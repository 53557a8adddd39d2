import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseGroupFile, roleFor } from '../../../app/helper/control/authz.ts';
import type { PeerCredentials } from '../../../app/helper/control/peer-credentials.ts';
import { ControlClient } from '../../../app/protocol/client.ts';
import { ControlError } from '../../../app/protocol/errors.ts';
import { METHOD_NAMES, methods } from '../../../app/protocol/schema.ts';
import { NOBODY, startFake, testAccounts } from './harness.ts';

/** Sets a file's mtime: the account cache keys on it, and two writes in one tick may share one. */
const touch = (path: string, seconds: number): void => utimesSync(path, seconds, seconds);

const creds = (uid: number, gid: number): PeerCredentials => ({ uid, gid, pid: 100 });

describe('authorization', () => {
  test('roleFor: root, group members (listed or primary) are admin; others and unknown are read-only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qe-authz-'));
    try {
      const db = testAccounts(dir);
      assert.equal(roleFor(creds(0, 0), 'quicether', db), 'admin');
      assert.equal(roleFor(creds(1000, 1000), 'quicether', db), 'admin', 'alice is listed in the group');
      assert.equal(roleFor(creds(1002, 990), 'quicether', db), 'admin', 'carol has it as primary group');
      assert.equal(roleFor(creds(1001, 990), 'quicether', db), 'admin', "bob's process runs with egid 990");
      assert.equal(roleFor(creds(1001, 1001), 'quicether', db), 'read-only');
      assert.equal(roleFor(creds(65534, 65534), 'quicether', db), 'read-only');
      assert.equal(roleFor(creds(4242, 4242), 'quicether', db), 'read-only', 'unknown uid');
      assert.equal(roleFor(null, 'quicether', db), 'read-only', 'unknown identity');
      assert.equal(roleFor(creds(1000, 1000), 'no-such-group', db), 'read-only');
      // Membership changes take effect on the next decision (file re-read on mtime change).
      writeFileSync(join(dir, 'group'), 'quicether:x:990:\n');
      const later = Date.now() / 1000 + 5;
      touch(join(dir, 'group'), later);
      assert.equal(roleFor(creds(1000, 1000), 'quicether', db), 'read-only', 'alice removed from the group');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('parseGroupFile skips malformed lines', () => {
    const g = parseGroupFile('ok:x:5:a,b\nbroken\n#comment\nnogid:x::\nempty:x:7:\n');
    assert.deepEqual(g.get('ok'), { gid: 5, members: ['a', 'b'] });
    assert.deepEqual(g.get('empty'), { gid: 7, members: [] });
    assert.equal(g.has('broken') || g.has('nogid'), false);
  });

  test('a read-only caller may read but every state-changing verb is denied, and nothing changes', async () => {
    const h = await startFake({ peerCredentials: NOBODY });
    try {
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      assert.equal(c.role, 'read-only');
      assert.equal((await c.request('status', {})).target, 'disconnected');
      assert.ok((await c.request('listInterfaces', {})).length > 0);
      await c.request('listPeers', {});
      const w = await c.watch(100, () => {});
      await w.stop();
      const attempts: Array<Promise<unknown>> = [
        c.request('connect', {}),
        c.request('disconnect', {}),
        c.request('setInterfaceEnabled', { name: 'eth0', enabled: false }),
        c.request('setMode', { mode: 'failover' }),
        c.request('setScheduler', { scheduler: 'redundant' }),
      ];
      for (const a of attempts) {
        const e = await a.catch((x: unknown) => x);
        assert.ok(e instanceof ControlError && e.code === 'permission_denied', String(e));
      }
      const adminVerbs = METHOD_NAMES.filter((m) => methods[m].admin).sort();
      assert.deepEqual(adminVerbs, [
        'connect',
        'disconnect',
        'setInterfaceEnabled',
        'setMode',
        'setScheduler',
      ]);
      const st = await c.request('status', {});
      assert.equal(st.target, 'disconnected');
      assert.equal(st.mode, 'aggregate');
      assert.equal(
        (await c.request('listInterfaces', {})).every((i) => i.enabled),
        true,
      );
      c.close();
    } finally {
      await h.close();
    }
  });

  test('permission is decided per request: a caller dropped from the admin group loses rights mid-connection', async () => {
    const h = await startFake({ peerCredentials: () => creds(1000, 1000) });
    try {
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      assert.equal(c.role, 'admin');
      await c.request('setMode', { mode: 'failover' });
      writeFileSync(join(h.dir, 'group'), 'quicether:x:990:\n');
      touch(join(h.dir, 'group'), Date.now() / 1000 + 5);
      const e = await c.request('setMode', { mode: 'aggregate' }).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'permission_denied');
      c.close();
    } finally {
      await h.close();
    }
  });

  test('a failing credential lookup means read-only, not admin', async () => {
    const h = await startFake({
      peerCredentials: () => {
        throw new Error('addon missing');
      },
    });
    try {
      const c = await ControlClient.connect({ socketPath: h.socketPath });
      assert.equal(c.role, 'read-only');
      const e = await c.request('connect', {}).catch((x: unknown) => x);
      assert.ok(e instanceof ControlError && e.code === 'permission_denied');
      c.close();
    } finally {
      await h.close();
    }
  });
});
