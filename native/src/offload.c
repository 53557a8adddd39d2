/*
 * TUN offload packet work, pure C (no I/O, no N-API): what the kernel's GSO and GRO would do, done
 * at the user-space end of a TUN opened with IFF_VNET_HDR. Used by tun.c; tested through the
 * addon's `offload` test exports (test/unit/io/offload.test.ts).
 *
 * Why: without offload, every 1368-byte TCP segment crosses the TUN as its own read() or write()
 * and its own trip through the kernel's IP and TCP layers. With TSO on the TUN, the local TCP
 * hands us one 64 KiB super-packet per read, which we cut into MTU-sized segments here; on the
 * way in, consecutive segments of one TCP flow are merged into one super-packet per write, which
 * the receiving TCP takes in one go (as GRO would have given it). The same trick wireguard-go and
 * Tailscale use. Measured in the lab: see README "Benchmarks".
 *
 * All multi-byte header fields are big-endian on the wire; the virtio-net header is in host order
 * (legacy virtio, what TUN uses unless TUNSETVNETLE/BE is set).
 */
#include "offload.h"

#include <string.h>

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

uint64_t qe_csum_add(uint64_t sum, const uint8_t *p, size_t len) {
  /* 16-bit big-endian words, accumulated wide; carries folded at the end. */
  while (len >= 8) {
    sum += (uint64_t)rd16(p) + rd16(p + 2) + rd16(p + 4) + rd16(p + 6);
    p += 8;
    len -= 8;
  }
  while (len >= 2) {
    sum += rd16(p);
    p += 2;
    len -= 2;
  }
  if (len) sum += (uint64_t)p[0] << 8;
  return sum;
}

uint16_t qe_csum_fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

/* Pseudo-header sum of IPv4 src/dst (at ip+12), protocol and L4 length. */
static uint64_t pseudo4(const uint8_t *ip, uint8_t proto, uint32_t l4len) {
  uint64_t s = qe_csum_add(0, ip + 12, 8);
  return s + proto + l4len;
}

static void ip4_fix(uint8_t *ip, uint32_t ihl, uint32_t total) {
  wr16(ip + 2, (uint16_t)total);
  wr16(ip + 10, 0);
  wr16(ip + 10, (uint16_t)~qe_csum_fold(qe_csum_add(0, ip, ihl)));
}

int qe_csum_complete(uint8_t *pkt, size_t len, uint16_t start, uint16_t offset) {
  if ((size_t)start + offset + 2 > len) return -1;
  /* The field holds the pseudo-header sum already (CHECKSUM_PARTIAL); sum the rest over it. */
  uint16_t c = (uint16_t)~qe_csum_fold(qe_csum_add(0, pkt + start, len - start));
  /* UDP (its checksum sits 6 bytes in) sends a computed 0 as 0xffff: 0 means "no checksum". */
  if (c == 0 && offset == 6) c = 0xffff;
  wr16(pkt + start + offset, c);
  return 0;
}

int qe_tso4_plan(const uint8_t *pkt, size_t len, uint16_t gso_size, qe_tso_plan *plan) {
  if (len < 40 || (pkt[0] >> 4) != 4 || pkt[9] != 6 || gso_size == 0) return -1;
  uint32_t ihl = (uint32_t)(pkt[0] & 15) * 4;
  if (ihl < 20 || len < ihl + 20) return -1;
  uint32_t thl = (uint32_t)(pkt[ihl + 12] >> 4) * 4;
  if (thl < 20 || len < ihl + thl) return -1;
  plan->ihl = ihl;
  plan->hdr_len = ihl + thl;
  plan->payload = (uint32_t)len - plan->hdr_len;
  plan->gso_size = gso_size;
  plan->segments = plan->payload == 0 ? 1 : (plan->payload + gso_size - 1) / gso_size;
  return 0;
}

uint32_t qe_tso4_segment(const uint8_t *pkt, const qe_tso_plan *plan, uint32_t i, uint8_t *out) {
  uint32_t from = i * plan->gso_size;
  uint32_t n = plan->payload - from;
  if (n > plan->gso_size) n = plan->gso_size;
  uint32_t total = plan->hdr_len + n;
  memcpy(out, pkt, plan->hdr_len);
  memcpy(out + plan->hdr_len, pkt + plan->hdr_len + from, n);
  /* IPv4: each segment its own length, id (consecutive, as the kernel's GSO does) and checksum. */
  wr16(out + 4, (uint16_t)(rd16(pkt + 4) + i));
  ip4_fix(out, plan->ihl, total);
  uint8_t *tcp = out + plan->ihl;
  wr32(tcp + 4, rd32(pkt + plan->ihl + 4) + from);
  /* FIN and PSH belong to the last segment only, CWR to the first only. */
  if (i + 1 < plan->segments) tcp[13] &= (uint8_t)~(QE_TCP_FIN | QE_TCP_PSH);
  if (i > 0) tcp[13] &= (uint8_t)~QE_TCP_CWR;
  uint32_t l4 = total - plan->ihl;
  wr16(tcp + 16, 0);
  uint64_t s = pseudo4(out, 6, l4);
  wr16(tcp + 16, (uint16_t)~qe_csum_fold(qe_csum_add(s, tcp, l4)));
  return total;
}

/*
 * Merge candidates: IPv4 without options or fragmentation, TCP with data, flags exactly ACK
 * (PSH allowed, it ends a run). Everything that makes one segment differ from the next in ways
 * the receiving TCP would care about (options such as timestamps, ack, window, TOS/TTL, DF)
 * must be identical, as Linux's own GRO requires.
 */
static int gro_head_ok(const uint8_t *p, uint32_t len, uint32_t *thl, uint32_t *payload) {
  if (len < 40 || p[0] != 0x45 || p[9] != 6) return 0;
  if (rd16(p + 2) != len) return 0;
  if (rd16(p + 6) & 0x3fff) return 0; /* MF or a fragment offset */
  uint32_t t = (uint32_t)(p[32] >> 4) * 4;
  if (t < 20 || len < 20 + t) return 0;
  uint8_t flags = p[33];
  if ((flags & ~QE_TCP_PSH) != QE_TCP_ACK) return 0;
  *thl = t;
  *payload = len - 20 - t;
  return *payload > 0;
}

uint32_t qe_gro4_run(const uint8_t *const *pkts, const uint32_t *lens, uint32_t count, uint32_t max_total) {
  if (count == 0) return 0;
  const uint8_t *a = pkts[0];
  uint32_t thl, pay;
  if (!gro_head_ok(a, lens[0], &thl, &pay)) return 1;
  if (a[33] & QE_TCP_PSH) return 1; /* PSH ends a run: nothing may follow it */
  uint32_t mss = pay;
  uint32_t total = lens[0];
  uint32_t next_seq = rd32(a + 24) + pay;
  uint32_t n = 1;
  for (; n < count; n++) {
    const uint8_t *b = pkts[n];
    uint32_t bthl, bpay;
    if (!gro_head_ok(b, lens[n], &bthl, &bpay) || bthl != thl || bpay > mss) break;
    if (total + bpay > max_total) break;
    /* Same IP header but for length, id and checksum; same ports, ack, window, options. */
    if (a[1] != b[1] || rd16(a + 6) != rd16(b + 6) || a[8] != b[8]) break;
    if (memcmp(a + 12, b + 12, 8) != 0 || memcmp(a + 20, b + 20, 4) != 0) break;
    if (rd32(b + 24) != next_seq || memcmp(a + 28, b + 28, 4) != 0) break;
    if (memcmp(a + 34, b + 34, 2) != 0 || memcmp(a + 40, b + 40, thl - 20) != 0) break;
    total += bpay;
    next_seq += bpay;
    /* A short or pushed segment is the last of a run. */
    if (bpay < mss || (b[33] & QE_TCP_PSH)) {
      n++;
      break;
    }
  }
  return n;
}

uint32_t qe_gro4_merge(const uint8_t *const *pkts, const uint32_t *lens, uint32_t count, uint8_t *out,
                       qe_vnet_hdr *vh) {
  const uint8_t *a = pkts[0];
  uint32_t thl = (uint32_t)(a[32] >> 4) * 4;
  uint32_t hdr = 20 + thl;
  memcpy(out, a, hdr);
  uint32_t total = hdr;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t pay = lens[i] - hdr;
    memcpy(out + total, pkts[i] + hdr, pay);
    total += pay;
  }
  ip4_fix(out, 20, total);
  out[33] = pkts[count - 1][33]; /* the last segment's PSH */
  /* CHECKSUM_PARTIAL: the field holds the pseudo-header sum; the kernel trusts the rest (the
   * segments came through an authenticated tunnel, as they do through wireguard-go's GRO). */
  wr16(out + 36, qe_csum_fold(pseudo4(out, 6, total - 20)));
  memset(vh, 0, sizeof *vh);
  vh->flags = QE_VNET_F_NEEDS_CSUM;
  vh->gso_type = QE_VNET_GSO_TCPV4;
  vh->hdr_len = (uint16_t)hdr;
  vh->gso_size = (uint16_t)(lens[0] - hdr);
  vh->csum_start = 20;
  vh->csum_offset = 16;
  return total;
}
