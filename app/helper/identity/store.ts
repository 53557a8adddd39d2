// On-disk identity: <dir>/node.key (PKCS#8 PEM, mode 0600) and <dir>/node.crt (PEM, 0644).
// Writes are atomic (temp file + rename) so a crash never leaves half a key. Loading refuses a key
// file readable by group or others, as ssh does, and checks that key and certificate belong together.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Decoded } from '../../core/types.ts';
import type { Identity } from './generate.ts';
import { nodeIdFromSpki } from './node-id.ts';
import { pemToDer } from './pem.ts';

export const KEY_FILE = 'node.key';
export const CERT_FILE = 'node.crt';

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode, flag: 'w' });
  await chmod(tmp, mode); // the umask may have narrowed or the file may have existed
  await rename(tmp, path);
}

export async function saveIdentity(dir: string, id: Identity): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(join(dir, CERT_FILE), id.certPem, 0o644);
  await writeAtomic(join(dir, KEY_FILE), id.keyPem, 0o600);
}

export async function loadIdentity(dir: string): Promise<Decoded<Identity>> {
  try {
    const keyPath = join(dir, KEY_FILE);
    const st = await stat(keyPath);
    if ((st.mode & 0o077) !== 0)
      return { ok: false, error: `${keyPath} is readable by group or others (want 0600)` };
    const keyPem = await readFile(keyPath, 'utf8');
    const certPem = await readFile(join(dir, CERT_FILE), 'utf8');
    const certDer = pemToDer(certPem, 'CERTIFICATE');
    if (certDer === null) return { ok: false, error: 'certificate file has no CERTIFICATE block' };
    if (pemToDer(keyPem, 'PRIVATE KEY') === null)
      return { ok: false, error: 'key file has no PRIVATE KEY block' };
    const cert = new X509Certificate(certDer);
    const certSpki = cert.publicKey.export({ type: 'spki', format: 'der' });
    const keySpki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    if (!certSpki.equals(keySpki)) return { ok: false, error: 'key and certificate do not match' };
    return { ok: true, value: { nodeId: nodeIdFromSpki(certSpki), keyPem, certPem, certDer } };
  } catch (e) {
    return { ok: false, error: `cannot load identity from ${dir}: ${(e as Error).message}` };
  }
}
