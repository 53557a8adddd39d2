// Flow classifier: 5-tuple hash → FlowId, plus the "is this interactive?" hint the scheduler uses
// to send a packet on the lowest-latency path (seed §8.4.3.3) or on several (§8.4.3.4).
//
// Hot path: `classify` writes into a caller-owned FlowInfo, reads straight from the packet buffer,
// allocates nothing. The flow hash is MurmurHash3-style over (src, dst, proto, sport, dport) with
// a fixed seed, so it is stable across runs and machines (both ends may compute it) but not
// symmetric (A→B and B→A are different flows). For ICMP/ICMPv6 echo the identifier stands in for
// the source port. Every fragment of a fragmented packet hashes with ports = 0, so all fragments
// of one datagram share a flow (later fragments carry no ports).

import {
  dscpOf,
  IPV4_DST_OFFSET,
  IPV4_SRC_OFFSET,
  IPV6_DST_OFFSET,
  IPV6_SRC_OFFSET,
  ipVersion,
  locateTransport,
  newTransportLocation,
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_TCP,
  PROTO_UDP,
  readU16,
  readU32,
  type TransportLocation,
} from './ip-packet.ts';
import { type FlowId, flowId } from './types.ts';

export { destinationAddressOf, sourceAddressOf } from './ip-packet.ts';

/**
 * Transport payload at or under this many bytes counts as interactive: keystrokes, game state,
 * VoIP frames (20 ms of Opus ≈ 60-160 bytes) and ACKs fit; bulk transfers fill the MTU.
 */
export const INTERACTIVE_MAX_PAYLOAD = 200;

/**
 * DSCP at or above CS4 (32) is interactive: CS4 real-time interactive, AF41-43 video conferencing,
 * CS5 signalling, EF (46) voice, CS6/CS7 network control (RFC 4594 service classes).
 */
export const INTERACTIVE_MIN_DSCP = 32;

/**
 * Well-known ports of latency-sensitive protocols: SSH, DNS, NTP, STUN/TURN (+TLS), SIP (+TLS),
 * RDP, DNS over TLS. A packet to or from one of these is interactive whatever its size.
 */
export const INTERACTIVE_PORTS: readonly number[] = [22, 53, 123, 853, 3389, 3478, 3479, 5060, 5061, 5349];
const interactivePort = new Uint8Array(65536);
for (const p of INTERACTIVE_PORTS) interactivePort[p] = 1;

/** True when either port of the flow is one of INTERACTIVE_PORTS. */
export function onInteractivePort(info: { srcPort: number; dstPort: number }): boolean {
  return interactivePort[info.srcPort] === 1 || interactivePort[info.dstPort] === 1;
}

export interface FlowInfo {
  flowId: FlowId;
  /** Transport protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  proto: number;
  dscp: number;
  /** Whole IP packet length, bytes. */
  size: number;
  /** Transport payload length, bytes (0 for a truncated packet). */
  payloadSize: number;
  srcPort: number;
  dstPort: number;
  ipVersion: number;
  interactive: boolean;
  /** A bare TCP acknowledgement: no payload, no SYN, FIN or RST. */
  ackOnly: boolean;
  /** A TCP SYN without ACK: it opens a connection, so nothing of its flow is ahead of it. */
  synOnly: boolean;
}

export function newFlowInfo(): FlowInfo {
  return {
    flowId: flowId(0),
    proto: 0,
    dscp: 0,
    size: 0,
    payloadSize: 0,
    srcPort: 0,
    dstPort: 0,
    ipVersion: 0,
    interactive: false,
    ackOnly: false,
    synOnly: false,
  };
}

/** TCP header flag bits FIN (0x01), SYN (0x02) and RST (0x04). */
const TCP_SYN_FIN_RST = 0x07;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

const SEED = 0x51e7e11e;

function mix(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

function finish(h: number, n: number): number {
  let x = h ^ n;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Shared scratch for `classify`'s default argument. Safe because JavaScript is single-threaded and
 * `classify` never yields; it holds no state between calls.
 */
const scratchLocation: TransportLocation = newTransportLocation();

/**
 * Classifies the IP packet at `buf[off, off + len)` into `out`. Returns false (and leaves `out`
 * partly written) when the bytes are not an IPv4/IPv6 packet. Never throws, never allocates.
 * `loc` is scratch space; pass one per caller to stay allocation-free.
 */
export function classify(
  buf: Uint8Array,
  len: number,
  out: FlowInfo,
  off = 0,
  loc: TransportLocation = scratchLocation,
): boolean {
  const v = ipVersion(buf, len, off);
  if (v === 0 || !locateTransport(buf, len, off, loc)) return false;
  const end = off + len;
  const proto = loc.proto;
  const l4 = loc.l4Offset;
  let sport = 0;
  let dport = 0;
  let l4Header = 0;
  let echo = false;
  let tcpFlags = -1;
  if (!loc.laterFragment) {
    if ((proto === PROTO_TCP && l4 + 20 <= end) || (proto === PROTO_UDP && l4 + 8 <= end)) {
      sport = readU16(buf, l4);
      dport = readU16(buf, l4 + 2);
      l4Header = proto === PROTO_TCP ? (buf[l4 + 12]! >> 4) * 4 : 8;
      if (proto === PROTO_TCP) tcpFlags = buf[l4 + 13]!;
    } else if ((proto === PROTO_ICMP || proto === PROTO_ICMPV6) && l4 + 8 <= end) {
      const type = buf[l4]!;
      echo = proto === PROTO_ICMP ? type === 8 || type === 0 : type === 128 || type === 129;
      if (echo) sport = readU16(buf, l4 + 4);
      l4Header = 8;
    }
  }
  const payload = end - l4 - l4Header;

  let h = SEED;
  if (v === 4) {
    h = mix(h, readU32(buf, off + IPV4_SRC_OFFSET));
    h = mix(h, readU32(buf, off + IPV4_DST_OFFSET));
  } else {
    for (let i = 0; i < 16; i += 4) h = mix(h, readU32(buf, off + IPV6_SRC_OFFSET + i));
    for (let i = 0; i < 16; i += 4) h = mix(h, readU32(buf, off + IPV6_DST_OFFSET + i));
  }
  const hashPorts = loc.fragment ? 0 : (sport << 16) | dport;
  h = mix(h, proto);
  h = mix(h, hashPorts);

  const dscp = dscpOf(buf, len, off);
  out.flowId = flowId(finish(h, v));
  out.proto = proto;
  out.dscp = dscp;
  out.size = len;
  out.payloadSize = payload > 0 ? payload : 0;
  out.srcPort = sport;
  out.dstPort = dport;
  out.ipVersion = v;
  out.interactive =
    echo ||
    dscp >= INTERACTIVE_MIN_DSCP ||
    (l4Header > 0 && payload <= INTERACTIVE_MAX_PAYLOAD) ||
    ((proto === PROTO_TCP || proto === PROTO_UDP) &&
      (interactivePort[sport] === 1 || interactivePort[dport] === 1));
  out.ackOnly = tcpFlags >= 0 && payload === 0 && (tcpFlags & TCP_SYN_FIN_RST) === 0;
  out.synOnly = tcpFlags >= 0 && (tcpFlags & (TCP_SYN_FIN_RST | TCP_ACK)) === TCP_SYN;
  return true;
}

/** Convenience (allocating) form for tests and cold paths; undefined when not an IP packet. */
export function classifyPacket(buf: Uint8Array, len: number = buf.length): FlowInfo | undefined {
  const out = newFlowInfo();
  return classify(buf, len, out) ? out : undefined;
}
