// SECURITY S1 for real: a client process running as uid 65534 (nobody) connects to a socket it
// is allowed to open (mode 0666 in a temp dir) and must be read-only, with the caller's identity
// coming from the kernel (SO_PEERCRED via the native addon, and the /proc + ss fallback).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { nobodyCanRead } from '../../lab/exec.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

import { fileURLToPath } from 'node:url';
import {
  createProcPeerCredentials,
  type PeerCredentialLookup,
  type PeerCredentials,
  pidsByPeerInode,
} from '../../../app/helper/control/peer-credentials.ts';
import { ControlClient } from '../../../app/protocol/client.ts';
import { startFake } from './harness.ts';

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const fixture = fileURLToPath(new URL('./fixtures/ro-client.ts', import.meta.url));

async function nativeLookup(): Promise<PeerCredentialLookup | null> {
  try {
    const mod = (await import('../../../app/helper/io/peer-cred.ts')) as {
      peerCredentialsOf?: PeerCredentialLookup;
      peerCredentialsSupport?: () => { available: boolean };
    };
    return mod.peerCredentialsSupport?.().available && mod.peerCredentialsOf ? mod.peerCredentialsOf : null;
  } catch {
    return null;
  }
}

async function runAsNobody(
  lookup: PeerCredentialLookup,
): Promise<{ child: Record<string, unknown>; seen: Array<PeerCredentials | null> }> {
  const seen: Array<PeerCredentials | null> = [];
  const recording: PeerCredentialLookup = async (s) => {
    const c = await lookup(s);
    seen.push(c);
    return c;
  };
  const h = await startFake({ socketMode: 0o666, peerCredentials: recording });
  try {
    // The admin (this root process) connects first: same lookup, must be admin.
    const admin = await ControlClient.connect({ socketPath: h.socketPath });
    assert.equal(admin.role, 'admin');
    admin.close();
    const r = await spawnAsync([
      'setpriv',
      '--reuid',
      '65534',
      '--regid',
      '65534',
      '--clear-groups',
      process.execPath,
      '--import',
      'tsx',
      fixture,
      h.socketPath,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const child = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.equal((await h.helper.status()).target, 'disconnected', 'nothing changed');
    assert.equal((await h.helper.status()).mode, 'aggregate');
    return { child, seen };
  } finally {
    await h.close();
  }
}

function spawnAsync(argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const p = spawn(cmd ?? 'false', args, {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function assertReadOnly(child: Record<string, unknown>, seen: Array<PeerCredentials | null>): void {
  assert.equal(child.uid, 65534, JSON.stringify(child));
  assert.equal(child.role, 'read-only', JSON.stringify(child));
  assert.equal(child.statusTarget, 'disconnected');
  assert.equal(child.connect, 'permission_denied');
  assert.equal(child.setMode, 'permission_denied');
  assert.equal(child.iface, 'permission_denied');
  assert.ok(
    seen.some((c) => c?.uid === 0),
    'the root client was identified as uid 0',
  );
  assert.ok(
    seen.some((c) => c?.uid === 65534 && c.gid === 65534),
    `the other client was identified as 65534: ${JSON.stringify(seen)}`,
  );
}

describe('peer credentials (root only)', () => {
  test('uid 65534 is read-only via SO_PEERCRED (native addon)', async (t) => {
    if (!isRoot || !hasSetpriv) return t.skip('needs root and setpriv');
    if (!nobodyCanRead(REPO_ROOT))
      return t.skip('uid 65534 cannot read the repository (clone it outside a 0700 folder)');
    const lookup = await nativeLookup();
    if (!lookup) return t.skip('native addon with peerCredentials not available');
    const { child, seen } = await runAsNobody(lookup);
    assertReadOnly(child, seen);
  });

  test('uid 65534 is read-only via the /proc + ss fallback', async (t) => {
    if (!isRoot || !hasSetpriv) return t.skip('needs root and setpriv');
    if (!nobodyCanRead(REPO_ROOT))
      return t.skip('uid 65534 cannot read the repository (clone it outside a 0700 folder)');
    const { child, seen } = await runAsNobody(createProcPeerCredentials());
    assertReadOnly(child, seen);
  });

  test('pidsByPeerInode parses ss rows', () => {
    const out = [
      'u_str ESTAB 0      0                     * 30094 * 30095 users:(("node",pid=6278,fd=20))',
      'u_str ESTAB 0      0      /tmp/sstest.sock 30095 * 30094 users:(("node",pid=6278,fd=21))',
      'u_str ESTAB 0      0                     * 40001 * 40002 users:(("we ird\\"name",pid=77,fd=3),("node",pid=78,fd=4))',
      'garbage line',
    ].join('\n');
    const m = pidsByPeerInode(out);
    assert.equal(m.get('30095'), 6278);
    assert.equal(m.get('40002'), 77);
    assert.equal(m.has('30096'), false);
  });
});
