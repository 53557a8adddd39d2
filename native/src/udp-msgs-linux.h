/*
 * Building the sendmmsg messages of a UDP send batch (udp-msgs-linux.c), for udp-linux.c.
 * Consecutive packets to one destination of one size (the last may be shorter) become one UDP
 * GSO message (UDP_SEGMENT): the kernel builds and routes them once and cuts them into
 * datagrams late; every other packet is a message of its own.
 */
#ifndef QE_UDP_MSGS_LINUX_H
#define QE_UDP_MSGS_LINUX_H
#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct mmsghdr */
#endif
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#define CHUNK 64 /* mmsghdr entries (and packets) per syscall; stack-allocated */

/* The messages of one sendmmsg call; count[k] = packets carried by message k. */
typedef struct qe_udp_msgs {
  struct mmsghdr msgs[CHUNK];
  struct iovec iov[CHUNK];
  struct sockaddr_in to[CHUNK];
  union {
    char buf[CMSG_SPACE(sizeof(uint16_t))];
    struct cmsghdr align;
  } ctl[CHUNK];
  uint32_t count[CHUNK];
} qe_udp_msgs;

/* Fills m with messages for packets i.. (at most CHUNK packets, never past end), grouping runs
 * into GSO messages when `gso`, of at most bursts[first] datagrams where bursts is given and
 * that entry is not 0; returns the number of messages (>= 1 when i < end). */
unsigned qe_udp_build_msgs(qe_udp_msgs *m, uint8_t *slab, const uint32_t *offsets, const uint32_t *lens,
                           const uint32_t *addrs, const uint8_t *bursts, uint32_t i, uint32_t end, int gso);

#endif
#endif
