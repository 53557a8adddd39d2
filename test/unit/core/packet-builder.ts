// Builds IPv4/IPv6 packets for tests. Checksums are left zero (nothing here checks them).

export interface PacketSpec {
  version?: 4 | 6;
  /** IPv4 as uint32, or IPv6 as 16 bytes. */
  src?: number | Uint8Array;
  dst?: number | Uint8Array;
  proto?: number;
  dscp?: number;
  srcPort?: number;
  dstPort?: number;
  /** Transport payload bytes after the TCP/UDP/ICMP header. */
  payload?: number;
  /** ICMP type (for proto 1 / 58) and echo identifier. */
  icmpType?: number;
  icmpId?: number;
  /** IPv4 only: fragment offset (8-byte units) and more-fragments flag. */
  fragOffset?: number;
  moreFragments?: boolean;
  /** TCP data offset in 32-bit words (default 5). */
  tcpWords?: number;
  /** TCP flag byte (default 0x10, ACK). */
  tcpFlags?: number;
}

export function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function put32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}

export function buildPacket(spec: PacketSpec = {}): Uint8Array {
  const version = spec.version ?? 4;
  const proto = spec.proto ?? 17;
  const payload = spec.payload ?? 0;
  const l4 = proto === 6 ? (spec.tcpWords ?? 5) * 4 : proto === 17 || proto === 1 || proto === 58 ? 8 : 0;
  const ipHeader = version === 4 ? 20 : 40;
  const total = ipHeader + l4 + payload;
  const buf = new Uint8Array(total);
  const dscp = spec.dscp ?? 0;
  if (version === 4) {
    buf[0] = 0x45;
    buf[1] = dscp << 2;
    buf[2] = total >> 8;
    buf[3] = total & 0xff;
    const frag = ((spec.moreFragments ? 0x2000 : 0) | (spec.fragOffset ?? 0)) & 0xffff;
    buf[6] = frag >> 8;
    buf[7] = frag & 0xff;
    buf[8] = 64;
    buf[9] = proto;
    put32(buf, 12, typeof spec.src === 'number' ? spec.src : v4(198, 19, 0, 2));
    put32(buf, 16, typeof spec.dst === 'number' ? spec.dst : v4(198, 19, 0, 1));
  } else {
    buf[0] = 0x60 | (dscp >> 2);
    buf[1] = (dscp & 3) << 6;
    const plen = total - 40;
    buf[4] = plen >> 8;
    buf[5] = plen & 0xff;
    buf[6] = proto;
    buf[7] = 64;
    const src =
      spec.src instanceof Uint8Array ? spec.src : Uint8Array.of(0xfd, 0, ...new Array(13).fill(0), 2);
    const dst =
      spec.dst instanceof Uint8Array ? spec.dst : Uint8Array.of(0xfd, 0, ...new Array(13).fill(0), 1);
    buf.set(src, 8);
    buf.set(dst, 24);
  }
  const t = ipHeader;
  if (proto === 6 || proto === 17) {
    const sp = spec.srcPort ?? 40000;
    const dp = spec.dstPort ?? 443;
    buf[t] = sp >> 8;
    buf[t + 1] = sp & 0xff;
    buf[t + 2] = dp >> 8;
    buf[t + 3] = dp & 0xff;
    if (proto === 6) {
      buf[t + 12] = (spec.tcpWords ?? 5) << 4;
      buf[t + 13] = spec.tcpFlags ?? 0x10;
    }
  } else if (proto === 1 || proto === 58) {
    buf[t] = spec.icmpType ?? (proto === 1 ? 8 : 128);
    const id = spec.icmpId ?? 0x1234;
    buf[t + 4] = id >> 8;
    buf[t + 5] = id & 0xff;
  }
  return buf;
}
