// IPv4 addresses as unsigned 32-bit integers in host order (1.2.3.4 = 0x01020304): the form the
// native addon and PacketBatch.addrs use, so the packet path never builds address strings.

/** Parses dotted-quad; returns null when malformed. */
export function parseIpv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** Parses dotted-quad; throws a RangeError when malformed (for configuration, not packets). */
export function ipv4ToU32(s: string): number {
  const v = parseIpv4(s);
  if (v === null) throw new RangeError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return v;
}

export function u32ToIpv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export const IPV4_LOOPBACK = 0x7f000001;
export const IPV4_ANY = 0;
