import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  chooseBackend,
  DnsError,
  decodeBackup,
  encodeBackup,
  planResolvectl,
  planResolvectlRevert,
  planRestore,
  RESOLV_MARKER,
  renderResolvConf,
  resolvConfPath,
} from '../../../../app/helper/system/dns.ts';

describe('renderResolvConf', () => {
  test('only the tunnel resolvers, marked as ours', () => {
    assert.equal(
      renderResolvConf(['198.19.0.1', '2001:db8::53'], ['corp.example']),
      `${RESOLV_MARKER}\nnameserver 198.19.0.1\nnameserver 2001:db8::53\nsearch corp.example\noptions timeout:2 attempts:2\n`,
    );
    assert.doesNotMatch(renderResolvConf(['198.19.0.1']), /search/);
  });

  test('refuses empty, too many, non-literal resolvers and bad domains', () => {
    assert.throws(() => renderResolvConf([]), DnsError);
    assert.throws(() => renderResolvConf(['1.1.1.1', '1.0.0.1', '8.8.8.8', '9.9.9.9']), DnsError);
    assert.throws(() => renderResolvConf(['dns.example']), DnsError);
    assert.throws(() => renderResolvConf(['198.19.0.1\nnameserver 8.8.8.8']), DnsError);
    assert.throws(() => renderResolvConf(['198.19.0.1'], ['a b']), DnsError);
    assert.throws(() => renderResolvConf(['198.19.0.1'], ['x\noptions ndots:15']), DnsError);
  });
});

describe('resolvectl plan', () => {
  test('per-link servers, route every domain (~.), default route; revert', () => {
    assert.deepEqual(planResolvectl('quicether0', ['198.19.0.1'], ['corp.example']), [
      ['dns', 'quicether0', '198.19.0.1'],
      ['domain', 'quicether0', '~.', 'corp.example'],
      ['default-route', 'quicether0', 'yes'],
    ]);
    assert.deepEqual(planResolvectlRevert('quicether0'), [['revert', 'quicether0']]);
    assert.throws(() => planResolvectl('bad name', ['198.19.0.1']), DnsError);
  });
});

describe('backup and restore planning', () => {
  test('backup round-trips; corrupt backups decode to null', () => {
    for (const b of [
      { kind: 'file', content: 'nameserver 198.18.5.5\n' },
      { kind: 'symlink', target: '../run/systemd/resolve/stub-resolv.conf' },
      { kind: 'absent' },
    ] as const)
      assert.deepEqual(decodeBackup(encodeBackup(b)), b);
    for (const s of ['', '{', '[]', '{"kind":"file"}', '{"kind":"symlink","target":""}', '{"kind":"x"}'])
      assert.equal(decodeBackup(s), null, s);
  });

  test('restores only over our own file', () => {
    const ours = { kind: 'file', content: renderResolvConf(['198.19.0.1']) } as const;
    const orig = { kind: 'file', content: 'nameserver 198.18.5.5\n' } as const;
    assert.equal(planRestore(ours, orig), 'restore');
    assert.equal(planRestore(ours, { kind: 'absent' }), 'restore');
    assert.equal(planRestore({ kind: 'file', content: 'nameserver 198.18.6.6\n' }, orig), 'keep-current');
    assert.equal(planRestore({ kind: 'absent' }, orig), 'keep-current');
    assert.equal(planRestore(ours, null), 'keep-current');
  });

  test('backend: resolvectl only when systemd-resolved owns the file', () => {
    const stub = { kind: 'symlink', target: '../run/systemd/resolve/stub-resolv.conf' } as const;
    assert.equal(chooseBackend(stub, true), 'resolvectl');
    assert.equal(chooseBackend(stub, false), 'resolv-conf');
    assert.equal(chooseBackend({ kind: 'file', content: '' }, true), 'resolv-conf');
    assert.equal(
      chooseBackend({ kind: 'symlink', target: '/etc/resolvconf/run/resolv.conf' }, true),
      'resolv-conf',
    );
  });

  test('paths: the system file, or the namespace file ip netns exec mounts', () => {
    assert.equal(resolvConfPath(), '/etc/resolv.conf');
    assert.equal(resolvConfPath('qe-lab-l1'), '/etc/netns/qe-lab-l1/resolv.conf');
    assert.throws(() => resolvConfPath('../../tmp'), DnsError);
  });
});
