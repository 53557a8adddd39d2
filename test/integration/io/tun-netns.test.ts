// TUN end to end in a throwaway network namespace (root only): the child process opens a TUN
// there at 198.18.N.1/24, `ping 198.18.N.2` goes out through it, the child reads the ICMP echo
// requests with readBatch and writes replies with writeBatch, and ping must succeed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeAvailable, nativeUnavailableReason } from '../../../native/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'Linux only';
  if (process.getuid?.() !== 0) return 'needs root';
  if (!nativeAvailable) return `native addon unavailable: ${nativeUnavailableReason}`;
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  if (spawnSync('ip', ['-V']).status !== 0) return 'no ip(8)';
  return false;
}

function sh(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

test('TUN in a netns: ping through it is answered via readBatch/writeBatch', { skip: skipReason() }, () => {
  const ns = `qe-io-${process.pid}`;
  const octet = 100 + (process.pid % 100); // 198.18.100-199.0/24, inside our own namespace only
  sh(['netns', 'add', ns]);
  try {
    sh(['-n', ns, 'link', 'set', 'lo', 'up']);
    const hasPing = spawnSync('ping', ['-V']).status === 0;
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        'test/integration/io/tun-echo-child.ts',
        String(octet),
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, `child failed: ${r.stdout}\n${r.stderr}`);
    const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.equal(j.name, 'qe-it0');
    assert.equal(j.isNative, true);
    if (hasPing) {
      assert.equal(j.ping, 0, 'ping succeeded through the TUN');
      assert.ok((j.requests as number) >= 3, `requests ${j.requests}`);
    }
    assert.ok((j.answered as number) >= (hasPing ? 4 : 1), `answered ${j.answered}`);
    assert.equal(j.udp, `hello-tun from 198.18.${octet}.2:4242`);
    assert.deepEqual(j.dupError, {
      code: 'EBUSY',
      message: 'TUNSETIFF qe-it0: EBUSY (Device or resource busy)',
    });
    assert.deepEqual(j.mtuError, { code: 'EINVAL', message: 'SIOCSIFMTU qe-it1: EINVAL (Invalid argument)' });
    assert.equal(j.junkConsumed, 1);
    assert.deepEqual(j.junkStats, { rxPackets: 0, txPackets: 0, txErrors: 1 });
    assert.equal(j.closedRead, 'EBADF');
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }
  assert.equal(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(ns), false);
});
