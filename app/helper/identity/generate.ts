// Key pair + self-signed X.509 certificate for a node. The certificate carries no trust of its own
// (there is no CA): the peer trusts the NodeId = hash of the public key (see node-id.ts), and TLS
// 1.3's CertificateVerify proves possession of the key. So the cert is just a container with a
// long validity.
import './reflect-polyfill.ts';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { NodeId } from '../../core/types.ts';
import { nodeIdFromSpki } from './node-id.ts';
import { derToPem } from './pem.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * Ed25519 is the default: smallest keys and signatures, fastest handshakes, and BoringSSL's TLS 1.3
 * in quiche accepts it (tested in test/unit/quic). P-256 is kept for peers or policies that need a
 * NIST curve.
 */
export type KeyAlgorithm = 'ed25519' | 'p256';

export interface Identity {
  readonly nodeId: NodeId;
  /** PKCS#8 private key, PEM. Secret: never log it. */
  readonly keyPem: string;
  /** Self-signed certificate, PEM. */
  readonly certPem: string;
  readonly certDer: Uint8Array;
}

export interface GenerateOptions {
  algorithm?: KeyAlgorithm;
  /** Wall-clock "now" in ms since the epoch (tests pin it). */
  nowMs?: number;
  /** Validity length; 50 years by default because the cert is only a key container. */
  validDays?: number;
}

/** notBefore is backdated so a peer whose clock runs up to a day behind still accepts the cert. */
const BACKDATE_MS = 24 * 3600 * 1000;
const DEFAULT_VALID_DAYS = 50 * 365;

function algorithmParams(alg: KeyAlgorithm): (EcKeyGenParams & EcdsaParams) | Algorithm {
  return alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
}

export async function generateIdentity(opts: GenerateOptions = {}): Promise<Identity> {
  const alg = algorithmParams(opts.algorithm ?? 'ed25519');
  const subtle = webcrypto.subtle;
  const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', keys.publicKey));
  const nodeId = nodeIdFromSpki(spki);
  const now = opts.nowMs ?? Date.now();
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive INTEGER
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${nodeId}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (opts.validDays ?? DEFAULT_VALID_DAYS) * 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', keys.privateKey));
  const certDer = new Uint8Array(cert.rawData);
  return {
    nodeId,
    keyPem: derToPem(pkcs8, 'PRIVATE KEY'),
    certPem: derToPem(certDer, 'CERTIFICATE'),
    certDer,
  };
}
