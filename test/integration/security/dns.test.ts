// Tunnel DNS in a lab namespace: /etc/netns/NAME/resolv.conf (what `ip netns exec` mounts over
// /etc/resolv.conf) switches to the tunnel resolvers and back, including after a "crash"
// (apply twice without restore: the first backup, the true original, is what comes back).
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  applyDns,
  backupPath,
  RESOLV_MARKER,
  resolvConfPath,
  restoreDns,
} from '../../../app/helper/system/dns.ts';
import { run, runIn, tryRun } from '../../lab/exec.ts';
import { ROOT_SKIP } from './sec-lab.ts';

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

describe('tunnel DNS (resolv.conf backend, per namespace)', { skip: ROOT_SKIP }, () => {
  test('switches to the tunnel resolvers while connected and restores the original', async () => {
    const ns = `qe-dns-${process.pid % 100000}`;
    const path = resolvConfPath(ns);
    await run('ip', ['netns', 'add', ns]);
    try {
      await mkdir(`/etc/netns/${ns}`, { recursive: true });
      const original = 'nameserver 198.18.5.5\nsearch lab.example\n';
      await writeFile(path, original);
      const seen = () => runIn(ns, 'cat', ['/etc/resolv.conf']);
      assert.equal(await seen(), original);

      const backend = await applyDns({
        servers: ['198.19.0.1'],
        tunName: 'quicether0',
        ns,
        backend: 'resolv-conf',
      });
      assert.equal(backend, 'resolv-conf');
      const during = await seen();
      assert.ok(during.startsWith(RESOLV_MARKER));
      assert.match(during, /^nameserver 198\.19\.0\.1$/m);
      assert.doesNotMatch(during, /198\.18\.5\.5/, 'the physical resolver is still listed (DNS leak)');
      // Crash while connected, then a new start applies again: the backup keeps the original.
      await applyDns({ servers: ['198.19.0.53'], tunName: 'quicether0', ns, backend: 'resolv-conf' });
      assert.match(await seen(), /^nameserver 198\.19\.0\.53$/m);

      assert.equal(await restoreDns({ tunName: 'quicether0', ns, backend: 'resolv-conf' }), true);
      assert.equal(await seen(), original);
      assert.equal(await exists(backupPath(path)), false);
      // Idempotent.
      assert.equal(await restoreDns({ tunName: 'quicether0', ns, backend: 'resolv-conf' }), false);
      assert.equal(await readFile(path, 'utf8'), original);
    } finally {
      await rm(`/etc/netns/${ns}`, { recursive: true, force: true });
      await tryRun('ip', ['netns', 'del', ns]);
    }
  });

  test('an absent file comes back absent; a file rewritten by someone else is left alone', async () => {
    const ns = `qe-dns2-${process.pid % 100000}`;
    const path = resolvConfPath(ns);
    await run('ip', ['netns', 'add', ns]);
    try {
      await rm(path, { force: true });
      await applyDns({ servers: ['198.19.0.1'], tunName: 'quicether0', ns, backend: 'resolv-conf' });
      assert.match(await runIn(ns, 'cat', ['/etc/resolv.conf']), /nameserver 198\.19\.0\.1/);
      assert.equal(await restoreDns({ tunName: 'quicether0', ns, backend: 'resolv-conf' }), true);
      assert.equal(await exists(path), false);

      await writeFile(path, 'nameserver 198.18.5.5\n');
      await applyDns({ servers: ['198.19.0.1'], tunName: 'quicether0', ns, backend: 'resolv-conf' });
      await writeFile(path, 'nameserver 198.18.6.6\n'); // e.g. DHCP renewed while connected
      assert.equal(await restoreDns({ tunName: 'quicether0', ns, backend: 'resolv-conf' }), false);
      assert.equal(await readFile(path, 'utf8'), 'nameserver 198.18.6.6\n');
      assert.equal(await exists(backupPath(path)), false);
    } finally {
      await rm(`/etc/netns/${ns}`, { recursive: true, force: true });
      await tryRun('ip', ['netns', 'del', ns]);
    }
  });
});
