/*
 * Reads and writes of a TUN opened with IFF_VNET_HDR (tun-linux.c), on top of the pure packet
 * work in offload.c. Called by tun.c's readBatch/writeBatch when offload is on; same contracts.
 */
#include "offload.h"
#include "qe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Most segments merged into one write (a run also stops at QE_SUPER_MAX bytes). */
#define GRO_MAX 64

qe_offload *qe_offload_new(void) {
  qe_offload *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->in = malloc(QE_VNET_HDR_LEN + QE_SUPER_MAX);
  o->out = malloc(QE_SUPER_MAX);
  if (!o->in || !o->out) {
    qe_offload_free(o);
    return NULL;
  }
  return o;
}

void qe_offload_free(qe_offload *o) {
  if (!o) return;
  free(o->in);
  free(o->out);
  free(o);
}

uint32_t qe_offload_pending(const qe_offload *o) { return o->plan.segments - o->next; }

/* Hands out pending segments of the last super-packet into slots n.. ; returns the new n. */
static uint32_t emit_segments(qe_offload *o, uint8_t *slab, uint32_t slot, uint32_t head, uint32_t *offsets,
                              uint32_t *lens, uint32_t n, uint32_t max) {
  const uint8_t *pkt = o->in + QE_VNET_HDR_LEN;
  while (n < max && o->next < o->plan.segments) {
    uint32_t off = n * slot + head;
    lens[n] = qe_tso4_segment(pkt, &o->plan, o->next++, slab + off);
    offsets[n] = off;
    n++;
    o->segments_out += 1;
  }
  return n;
}

/*
 * Each read() gives a virtio-net header and a packet that may be a TCP super-packet (cut into
 * segments, one per slot) or carry a partial checksum (completed). A super-packet whose segments
 * do not all fit stays pending and is handed out first by the next call.
 */
long qe_offload_read(qe_offload *o, int fd, uint8_t *slab, uint32_t slot, uint32_t head, uint32_t *offsets,
                     uint32_t *lens, uint32_t max, uint32_t *count) {
  uint32_t room = slot - head;
  uint32_t n = emit_segments(o, slab, slot, head, offsets, lens, 0, max);
  *count = n;
  while (n < max) {
    long r = qe_tun_read(fd, o->in, QE_VNET_HDR_LEN + QE_SUPER_MAX);
    if (r < 0) {
      if (r == -EAGAIN || r == -EWOULDBLOCK || n > 0) break;
      return r; /* nothing read and a real error: the caller throws */
    }
    if (r < QE_VNET_HDR_LEN) continue;
    qe_vnet_hdr vh;
    memcpy(&vh, o->in, sizeof vh);
    uint8_t *pkt = o->in + QE_VNET_HDR_LEN;
    size_t len = (size_t)r - QE_VNET_HDR_LEN;
    uint8_t gso = vh.gso_type & (uint8_t)~QE_VNET_GSO_ECN;
    if (gso == QE_VNET_GSO_TCPV4) {
      /* Segments get full checksums of their own: no partial checksum to complete first. */
      if (qe_tso4_plan(pkt, len, vh.gso_size, &o->plan) != 0 || o->plan.hdr_len + o->plan.gso_size > room) {
        o->plan.segments = o->next = 0;
        o->bad_offload += 1;
        continue;
      }
      o->next = 0;
      o->super_reads += 1;
      n = emit_segments(o, slab, slot, head, offsets, lens, n, max);
      continue;
    }
    if (gso != QE_VNET_GSO_NONE || len > room) {
      o->bad_offload += 1; /* a GSO type we did not enable, or larger than a slot */
      continue;
    }
    if ((vh.flags & QE_VNET_F_NEEDS_CSUM) && qe_csum_complete(pkt, len, vh.csum_start, vh.csum_offset) != 0) {
      o->bad_offload += 1;
      continue;
    }
    uint32_t off = n * slot + head;
    memcpy(slab + off, pkt, len);
    offsets[n] = off;
    lens[n] = (uint32_t)len;
    n++;
  }
  *count = n;
  return 0;
}

/*
 * One write starting at packet i: a run of mergeable TCP segments as one super-packet (*merged =
 * its length in packets), or packet i alone behind an empty header (the kernel checks its
 * checksum as usual). Returns bytes written or -errno.
 */
long qe_offload_write(qe_offload *o, int fd, const uint8_t *slab, const uint32_t *offsets, const uint32_t *lens,
                      uint32_t i, uint32_t end, uint32_t *merged) {
  const uint8_t *pkts[GRO_MAX];
  uint32_t count = end - i < GRO_MAX ? end - i : GRO_MAX;
  for (uint32_t k = 0; k < count; k++) pkts[k] = slab + offsets[i + k];
  uint32_t run = qe_gro4_run(pkts, lens + i, count, QE_SUPER_MAX);
  qe_vnet_hdr vh;
  *merged = 1;
  if (run < 2) {
    memset(&vh, 0, sizeof vh);
    return qe_tun_writev2(fd, (const uint8_t *)&vh, QE_VNET_HDR_LEN, pkts[0], lens[i]);
  }
  uint32_t len = qe_gro4_merge(pkts, lens + i, run, o->out, &vh);
  long r = qe_tun_writev2(fd, (const uint8_t *)&vh, QE_VNET_HDR_LEN, o->out, len);
  if (r >= 0) {
    *merged = run;
    o->merged_writes += 1;
    o->segments_merged += run;
    return r;
  }
  if (r == -EAGAIN || r == -EWOULDBLOCK) return r;
  /* The kernel refused the merged packet: count it and write the first segment alone (the
   * rest are tried again from the next one), so a refusal never loses data by itself. */
  o->bad_offload += 1;
  memset(&vh, 0, sizeof vh);
  return qe_tun_writev2(fd, (const uint8_t *)&vh, QE_VNET_HDR_LEN, pkts[0], lens[i]);
}
