/* See udp-msgs-linux.h. */
#ifdef __linux__
#include "udp-msgs-linux.h"

#include <arpa/inet.h>
#include <netinet/udp.h>
#include <string.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
/* Most datagrams in one GSO message (the kernel's UDP_MAX_SEGMENTS), and most bytes (an IPv4
 * datagram's 16-bit length less the IP and UDP headers). */
#define GSO_MAX_SEGS 64
#define GSO_MAX_BYTES (65535 - 20 - 8)

unsigned qe_udp_build_msgs(qe_udp_msgs *m, uint8_t *slab, const uint32_t *offsets, const uint32_t *lens,
                           const uint32_t *addrs, const uint8_t *bursts, uint32_t i, uint32_t end, int gso) {
  /* Packet j goes in iov[j - i]. */
  unsigned nmsg = 0;
  uint32_t j = i;
  while (j < end && nmsg < CHUNK && j - i < CHUNK) {
    uint32_t first = j, seg = lens[j], bytes = 0;
    uint32_t most = bursts && bursts[j] ? bursts[j] : GSO_MAX_SEGS;
    do {
      m->iov[j - i].iov_base = slab + offsets[j];
      m->iov[j - i].iov_len = lens[j];
      bytes += lens[j];
      j++;
    } while (gso && j < end && j - i < CHUNK && j - first < most && lens[j - 1] == seg && lens[j] <= seg &&
             seg > 0 && bytes + lens[j] <= GSO_MAX_BYTES && addrs[2 * j] == addrs[2 * first] &&
             addrs[2 * j + 1] == addrs[2 * first + 1]);
    struct msghdr *h = &m->msgs[nmsg].msg_hdr;
    struct sockaddr_in *to = &m->to[nmsg];
    memset(h, 0, sizeof *h);
    memset(to, 0, sizeof *to);
    to->sin_family = AF_INET;
    to->sin_addr.s_addr = htonl(addrs[2 * first]);
    to->sin_port = htons((uint16_t)addrs[2 * first + 1]);
    h->msg_name = to;
    h->msg_namelen = sizeof *to;
    h->msg_iov = &m->iov[first - i];
    h->msg_iovlen = j - first;
    m->count[nmsg] = j - first;
    if (j - first > 1) {
      h->msg_control = m->ctl[nmsg].buf;
      h->msg_controllen = sizeof m->ctl[nmsg].buf;
      struct cmsghdr *c = CMSG_FIRSTHDR(h);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t size = (uint16_t)seg;
      memcpy(CMSG_DATA(c), &size, sizeof size);
    }
    nmsg++;
  }
  return nmsg;
}
#endif
