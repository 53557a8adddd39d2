/*
 * TUN offload packet work (offload.c): checksum completion, TCP segmentation of a TSO
 * super-packet (the kernel's GSO, done by us), and merging of consecutive TCP segments into one
 * super-packet (GRO). IPv4 TCP only; everything else passes through one packet at a time.
 */
#ifndef QE_OFFLOAD_H
#define QE_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

/* struct virtio_net_hdr (linux/virtio_net.h), host byte order: the 10 bytes before every packet
 * read from or written to a TUN opened with IFF_VNET_HDR. */
typedef struct qe_vnet_hdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
} qe_vnet_hdr;

#define QE_VNET_HDR_LEN 10
#define QE_VNET_F_NEEDS_CSUM 1
#define QE_VNET_GSO_NONE 0
#define QE_VNET_GSO_TCPV4 1
#define QE_VNET_GSO_ECN 0x80

#define QE_TCP_FIN 0x01
#define QE_TCP_PSH 0x08
#define QE_TCP_ACK 0x10
#define QE_TCP_CWR 0x80

/* Largest IP packet a super-packet may be (IPv4 total length is 16 bits). */
#define QE_SUPER_MAX 65535

/* Ones-complement sum of big-endian 16-bit words (unfolded), and its fold to 16 bits. */
uint64_t qe_csum_add(uint64_t sum, const uint8_t *p, size_t len);
uint16_t qe_csum_fold(uint64_t sum);

/* Completes a CHECKSUM_PARTIAL packet: the checksum at start+offset holds the pseudo-header sum;
 * the sum of bytes start..len is folded in. -1 when the offsets fall outside the packet. */
int qe_csum_complete(uint8_t *pkt, size_t len, uint16_t start, uint16_t offset);

/* How an IPv4 TCP super-packet splits into segments of gso_size payload bytes. */
typedef struct qe_tso_plan {
  uint32_t ihl, hdr_len, payload, gso_size, segments;
} qe_tso_plan;

/* 0, or -1 when pkt is not an IPv4 TCP packet that can be segmented. */
int qe_tso4_plan(const uint8_t *pkt, size_t len, uint16_t gso_size, qe_tso_plan *plan);
/* Writes segment i (0-based) to out (room for hdr_len + gso_size bytes) with its own IP length,
 * id and checksum, sequence number, flags and full TCP checksum; returns its length. */
uint32_t qe_tso4_segment(const uint8_t *pkt, const qe_tso_plan *plan, uint32_t i, uint8_t *out);

/* How many of pkts[0..count) form one mergeable run (>= 1; 1 = write packet 0 alone). A run is
 * consecutive in-order segments of one TCP flow, each but the last carrying exactly the first's
 * payload size, at most max_total bytes merged. */
uint32_t qe_gro4_run(const uint8_t *const *pkts, const uint32_t *lens, uint32_t count, uint32_t max_total);
/* Merges a run of `count` (>= 2) into out (room for the merged length) and fills the virtio-net
 * header for it; returns the merged IP packet's length. */
uint32_t qe_gro4_merge(const uint8_t *const *pkts, const uint32_t *lens, uint32_t count, uint8_t *out,
                       qe_vnet_hdr *vh);

/* A TUN's offload state (tun-offload.c): a super-packet read but not yet fully handed out (its
 * segments outnumbered the free slots of that call), the merge buffer, and counters. */
typedef struct qe_offload {
  uint8_t *in;   /* QE_VNET_HDR_LEN + QE_SUPER_MAX: one read */
  uint8_t *out;  /* QE_SUPER_MAX: one merged write */
  qe_tso_plan plan;
  uint32_t next; /* next segment of `in` to hand out; == plan.segments when none pending */
  double super_reads, segments_out, merged_writes, segments_merged, bad_offload;
} qe_offload;

qe_offload *qe_offload_new(void); /* NULL when out of memory */
void qe_offload_free(qe_offload *o); /* NULL is fine */
uint32_t qe_offload_pending(const qe_offload *o);
/* readBatch's work: *count packets stored; returns 0, or -errno when nothing was read. */
long qe_offload_read(qe_offload *o, int fd, uint8_t *slab, uint32_t slot, uint32_t head, uint32_t *offsets,
                     uint32_t *lens, uint32_t max, uint32_t *count);
/* One write from packet i (merging a run); *merged = packets consumed; bytes or -errno. */
long qe_offload_write(qe_offload *o, int fd, const uint8_t *slab, const uint32_t *offsets, const uint32_t *lens,
                      uint32_t i, uint32_t end, uint32_t *merged);

#endif
