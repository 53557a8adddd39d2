// PEM <-> DER for the two block types we write: certificates and PKCS#8 private keys.

export type PemLabel = 'CERTIFICATE' | 'PRIVATE KEY';

export function derToPem(der: Uint8Array, label: PemLabel): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** First block with this label, or null. Never throws. */
export function pemToDer(pem: string, label: PemLabel): Uint8Array | null {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const i = pem.indexOf(begin);
  if (i < 0) return null;
  const j = pem.indexOf(end, i + begin.length);
  if (j < 0) return null;
  const body = pem.slice(i + begin.length, j).replace(/\s+/g, '');
  if (body.length === 0 || !/^[A-Za-z0-9+/]+=*$/.test(body)) return null;
  return new Uint8Array(Buffer.from(body, 'base64'));
}
