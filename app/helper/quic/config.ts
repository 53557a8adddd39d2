// quiche Config from our options. Every constant says why it has its value.
import { type NativeConfig, quiche } from './native.ts';
import type { CongestionControl, QuicIdentity, QuicTuning } from './types.ts';

/** ALPN of our protocol; a peer speaking anything else fails the handshake. */
export const ALPN = 'quicether/1';

/**
 * Length of every connection ID we issue. Fixed, so short-header packets can be routed by slicing.
 * 8 random bytes (64 bits, the common choice of QUIC stacks) and not 16: every data packet carries
 * the CID, and at one 1420-byte inner packet per datagram 8 bytes less per packet is +0.5 % of
 * goodput at the same wire rate (2 x 100mbit lab: ceiling 180.7 -> 181.7 Mbit/s of inner TCP).
 */
export const SCID_LEN = 8;

/** Worst-case QUIC short-header overhead around one DATAGRAM frame: flags, CID, packet number
 *  (up to 4), AEAD tag (16), frame type + length (3), and 2 bytes of slack. */
export const QUIC_DATAGRAM_OVERHEAD = 1 + SCID_LEN + 4 + 16 + 3 + 2;

/**
 * Largest UDP payload we send. 1350 keeps a full QUIC packet inside a 1400-byte path MTU (PPPoE,
 * most tunnels, cellular) without PMTU discovery, which this quiche build does not do. 1350 - ~40
 * bytes of QUIC overhead leaves ~1310 bytes per DATAGRAM: exactly one inner packet of up to 1310
 * bytes. Raise it per path only where the path MTU is known to be larger.
 */
export const DEFAULT_MAX_SEND_UDP_PAYLOAD = 1350;
/** Largest UDP payload we accept: 1500-byte Ethernet MTU minus IPv6 (40) and UDP (8) headers. */
export const DEFAULT_MAX_RECV_UDP_PAYLOAD = 1452;
/** Size of every packet buffer handed to quiche (>= both limits above, and >= 1200 for Initials). */
export const MAX_UDP_PAYLOAD = 1500;

/** 30 s: long enough to ride out a WiFi roam, short enough to notice a dead path; keepalives keep it open. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/**
 * Datagram queues, in datagrams. 1024 received datagrams is ~1.3 MiB and covers the burst of a
 * full batch read. The send queue is smaller (512 = ~4 ms at 1.3 Gbit/s, ~0.5 s at 10 Mbit/s): a
 * full send queue is our congestion signal, and a longer one would only add latency.
 */
export const DEFAULT_DGRAM_RECV_QUEUE = 1024;
export const DEFAULT_DGRAM_SEND_QUEUE = 512;

/**
 * Flow-control windows. Only the control stream uses stream data (datagrams are not flow
 * controlled), but a window that never limits a burst of path reports costs nothing: quiche only
 * buffers what the peer actually sends, and we read eagerly.
 */
export const DEFAULT_INITIAL_MAX_DATA = 32 * 1024 * 1024;
export const DEFAULT_INITIAL_MAX_STREAM_DATA = 16 * 1024 * 1024;

/**
 * Congestion control of every path's QUIC connection: cubic. Session 13 ran BBR (quiche 0.18's
 * is BBRv1; "bbr2" is refused) for a day and took it back. Measured in the lab, 8 s runs:
 * - what BBR won: one TCP flow over 2 x 100 Mbit/s with 10 / 50 ms RTTs, 175.8 vs 171.0 Mbit/s
 *   (medians of 8, alternated; inner cubic 175.9 vs 166.6). Cubic grows each path's window until
 *   the bottleneck buffer overflows (0.9-1.5 MB on paths that hold 0.75 / 1.25 MB), and each
 *   overflow is a loss the inner TCP repairs.
 * - what it lost: one flow over 50 + 20 Mbit/s paths fell run after run on the same tunnel,
 *   61.4 / 60.3 / 48.8 / 49.5 / 40.4 / 38.3 (cubic 60.9 / 61.6 / 60.4 / 51.7 / 58.4 / 60.6):
 *   toward twice the slow path's rate, the even split of a scheduler whose capacity estimates
 *   no longer form (BBR paths rarely lose a packet). Equal paths also spread wider (169-182,
 *   median ~179.6 of 21 vs 174-182, median 181.2 of 8), partly from BBRv1's ProbeRTT (a path's
 *   window at 4 packets for 200 ms every 10 s). WiFi next to LTE differs in capacity, so cubic.
 */
export const DEFAULT_CC: CongestionControl = 'cubic';

/** CIDs we let the peer hand us (and we hand it): spares are what lets a path migrate or be probed. */
export const ACTIVE_CID_LIMIT = 4;

/** Signature algorithms offered in TLS 1.3: the two key types identity/ generates. */
const SIGALGS = 'ed25519:ecdsa_secp256r1_sha256';

export type Role = 'client' | 'server';

export function buildConfig(role: Role, identity: QuicIdentity, t: QuicTuning = {}): NativeConfig {
  const enc = new TextEncoder();
  // verifyPeer=true on both sides: the server then requests a client certificate (mutual TLS) and
  // a client without one fails with CERTIFICATE_REQUIRED. verifyAllowFail=true because no CA
  // signs our certificates: the NodeId check in conn.ts is the authentication.
  const c = quiche.Config.withBoringSslCtx(
    true,
    true,
    null,
    [enc.encode(identity.keyPem)],
    [enc.encode(identity.certPem)],
    SIGALGS,
  );
  c.setApplicationProtos([ALPN]);
  c.grease(true);
  // 0-RTT stays off (replayable): we never call enableEarlyData().
  c.setMaxIdleTimeout(t.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  c.setMaxSendUdpPayloadSize(t.maxSendUdpPayload ?? DEFAULT_MAX_SEND_UDP_PAYLOAD);
  c.setMaxRecvUdpPayloadSize(t.maxRecvUdpPayload ?? DEFAULT_MAX_RECV_UDP_PAYLOAD);
  const maxData = t.initialMaxData ?? DEFAULT_INITIAL_MAX_DATA;
  const maxStream = t.initialMaxStreamData ?? DEFAULT_INITIAL_MAX_STREAM_DATA;
  c.setInitialMaxData(maxData);
  c.setInitialMaxStreamDataBidiLocal(maxStream);
  c.setInitialMaxStreamDataBidiRemote(maxStream);
  c.setInitialMaxStreamDataUni(0);
  c.setMaxConnectionWindow(Math.max(maxData, 2 * maxStream));
  c.setMaxStreamWindow(maxStream);
  // Only the client opens a stream (the control stream, id 0); the server may not open any.
  c.setInitialMaxStreamsBidi(role === 'server' ? 1 : 0);
  c.setInitialMaxStreamsUni(0);
  c.enableDgram(
    true,
    t.dgramRecvQueueLen ?? DEFAULT_DGRAM_RECV_QUEUE,
    t.dgramSendQueueLen ?? DEFAULT_DGRAM_SEND_QUEUE,
  );
  c.setCcAlgorithmName(t.cc ?? DEFAULT_CC);
  // Pacing off: we send what quiche produces at once and never wait for its `send_info.at`, but
  // with pacing on quiche stamps each packet with that future release time and measures RTT
  // from it, so under load its RTT read low: minimum 19-42 ms on a 50 ms path, 8 ms on 10 ms
  // (the queue balancing and the delay equalization steer by these RTTs).
  c.enablePacing(false);
  c.setActiveConnectionIdLimit(ACTIVE_CID_LIMIT);
  // Roaming: the client's address may change under a live connection (NAT rebind, WiFi -> LTE).
  c.setDisableActiveMigration(false);
  return c;
}
