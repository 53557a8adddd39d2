// The addon's loader, error formatting and argument checks. Root-only TUN behaviour is covered by
// test/integration/io/tun-netns.test.ts; this file never creates a network device.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NativeUdpPort } from '../../../app/helper/io/native-udp.ts';
import { native, nativeAvailable, nativeUnavailableReason } from '../../../native/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const isRoot = process.getuid?.() === 0;

function runChild(code: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('loader reports availability consistently', () => {
  assert.equal(nativeAvailable, native !== null);
  assert.equal(nativeUnavailableReason === null, nativeAvailable);
});

test('loader never throws when the addon is missing, and UDP falls back to dgram', () => {
  const out = runChild(
    `import * as n from './native/index.ts';
     import { openUdpPort } from './app/helper/io/open-udp.ts';
     const { port, fallbackReason } = await openUdpPort({ address: '127.0.0.1', device: 'eth9' });
     console.log(JSON.stringify({ a: n.nativeAvailable, r: n.nativeUnavailableReason, b: port.backend, f: fallbackReason }));
     port.close();`,
    { QUICETHER_NO_NATIVE: '1' },
  );
  const j = JSON.parse(out) as { a: boolean; r: string; b: string; f: string };
  assert.equal(j.a, false);
  assert.match(j.r, /QUICETHER_NO_NATIVE/);
  assert.equal(j.b, 'dgram');
  assert.match(j.f, /NOT bound to device eth9/);
});

describe('native addon', {
  skip: nativeAvailable ? false : `addon unavailable: ${nativeUnavailableReason}`,
}, () => {
  const addon = native as NonNullable<typeof native>;

  test('errno errors carry .code and name the attempted step', () => {
    assert.throws(() => addon.throwErrnoForTest(1, 'open /dev/net/tun'), {
      code: 'EPERM',
      message: 'open /dev/net/tun: EPERM (Operation not permitted)',
    });
    assert.throws(() => addon.throwErrnoForTest(2, 'x'), { code: 'ENOENT' });
    assert.throws(() => addon.throwErrnoForTest(99999, 'x'), { code: 'EUNKNOWN' });
  });

  test('a TUN name longer than 15 bytes fails with EINVAL before any syscall', () => {
    assert.throws(
      () => new addon.Tun('quicether-much-too-long'),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'EINVAL');
        assert.match(e.message, /^TUNSETIFF quicether-much-too-long \(name longer than 15 bytes\): EINVAL/);
        return true;
      },
    );
  });

  test('argument misuse throws ERR_INVALID_ARG, not a crash', {
    skip: addon.Udp ? false : 'no native UDP',
  }, () => {
    {
      const Udp = addon.Udp as NonNullable<typeof addon.Udp>;
      const raw = new Udp({ address: 0x7f000001, port: 0 });
      try {
        const lens = new Uint32Array(4);
        assert.throws(() => raw.recvBatch(Buffer.alloc(100), 64, 0, lens, lens, new Uint32Array(8), 4), {
          code: 'ERR_INVALID_ARG',
        });
        assert.throws(
          () => raw.recvBatch('nope' as unknown as Buffer, 64, 0, lens, lens, new Uint32Array(8), 4),
          TypeError,
        );
        assert.throws(
          () =>
            raw.sendBatch(
              Buffer.alloc(10),
              new Uint32Array([8]),
              new Uint32Array([8]),
              new Uint32Array(2),
              0,
              1,
            ),
          {
            code: 'ERR_INVALID_ARG',
          },
        );
      } finally {
        raw.close();
      }
    }
  });

  test('UDP bind conflicts and unknown devices report errno codes', {
    skip: addon.Udp ? false : 'no native UDP',
  }, () => {
    const a = NativeUdpPort.open({ address: '127.0.0.1' });
    try {
      assert.throws(() => NativeUdpPort.open({ address: '127.0.0.1', port: a.localAddress.port }), {
        code: 'EADDRINUSE',
        message: new RegExp(`^bind 127\\.0\\.0\\.1:${a.localAddress.port}: EADDRINUSE`),
      });
    } finally {
      a.close();
    }
    assert.throws(
      () => NativeUdpPort.open({ address: '127.0.0.1', device: 'qe-nodev0' }),
      (e: Error & { code?: string }) => {
        assert.ok(e.code === 'ENODEV' || e.code === 'EPERM', e.code);
        assert.match(e.message, /^SO_BINDTODEVICE qe-nodev0: /);
        return true;
      },
    );
  });

  test('UDP buffer sizes: FORCE variants apply as root', {
    skip: addon.Udp ? false : 'no native UDP',
  }, () => {
    const p = NativeUdpPort.open({ address: '127.0.0.1', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    try {
      const s = p.bufferSizes;
      assert.ok(s.recv > 0 && s.send > 0);
      if (isRoot) {
        assert.ok(s.recv >= 4 << 20, `recv ${s.recv}`);
        assert.ok(s.send >= 4 << 20, `send ${s.send}`);
      }
    } finally {
      p.close();
    }
  });

  test('a throwing read callback surfaces once and is unset', {
    skip: addon.Udp ? false : 'no native UDP',
  }, () => {
    const out = runChild(`await import('./test/unit/io/throwing-callback-child.ts');`);
    assert.deepEqual(JSON.parse(out), { uncaught: 1, calls: 1, pending: 1 });
  });
});
