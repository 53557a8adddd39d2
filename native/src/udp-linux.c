/*
 * N-API class `Udp` (Linux): an IPv4 UDP socket with batched recvmmsg/sendmmsg into caller-owned
 * buffers. Other platforms do not export Udp; JS falls back to node:dgram.
 *
 * Address layout (ADDR_WORDS = 2 Uint32 words per packet, shared with native/index.ts):
 *   addrs[2*i]     = IPv4 address as an unsigned 32-bit integer in host order (1.2.3.4 = 0x01020304)
 *   addrs[2*i + 1] = UDP port (0..65535)
 *
 * JS contract:
 *   new Udp({ address, port, device?, recvBufferSize?, sendBufferSize?, gso? })
 *       socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC); SO_BINDTODEVICE(device) first
 *       (needs CAP_NET_RAW), buffer sizes (SO_*BUFFORCE, falling back to SO_*BUF when not
 *       permitted; the kernel may clamp), then bind. Sets .fd, .address, .port (the bound port),
 *       .recvBufferSize, .sendBufferSize (as the kernel reports them: Linux doubles the request).
 *   recvBatch(slab, slotSize, headroom, offsets, lens, addrs, max) -> count
 *       Like Tun.readBatch, plus the source address of each datagram in addrs. A datagram longer
 *       than its slot is truncated and counted in counters().truncated. How long each datagram
 *       sat in the socket (kernel receive timestamp to this read) is counted in
 *       counters().rxWaitSumUs / rxWaitCount / rxWaitHist (< 1, 5, 20, 50 ms, more).
 *   sendBatch(slab, offsets, lens, addrs, start, end, bursts?) -> consumed
 *       sendmmsg of packets start..end-1 to their addrs. Returns how many were consumed: sent, or
 *       dropped for a per-packet error (EMSGSIZE, ENETUNREACH, EPERM from a firewall, ENOBUFS...;
 *       counted in sendErrors). Stops early on EAGAIN (socket buffer full): arm writability and
 *       resume from start + consumed. Socket-level errors (EBADF...) throw if nothing was consumed.
 *       Consecutive packets to one destination of one size (the last may be shorter) leave as one
 *       UDP GSO message (UDP_SEGMENT): the kernel builds and routes them once and cuts them into
 *       datagrams late. Receivers see the same datagrams. Where GSO is refused (an old kernel, a
 *       device without it), the socket stops grouping and sends one message per packet.
 *       bursts (optional Uint8Array, one per packet): bursts[j] > 0 caps the datagrams of a GSO
 *       message that starts at packet j (0 = the kernel's 64). A qdisc queues and drops a GSO
 *       message whole, so the cap is a cap on back-to-back sends and back-to-back losses.
 */
#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif
#include "qe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "udp-msgs-linux.h"

/* How long received datagrams sat in the socket before recvBatch took them (kernel receive
 * timestamp, SO_TIMESTAMPNS, to the read): upper bounds of the histogram buckets, microseconds. */
#define WAIT_BUCKETS 5
static const double wait_bounds_us[WAIT_BUCKETS - 1] = {1000, 5000, 20000, 50000};

typedef struct {
  qe_fdh h;
  double truncated, send_errors, gso_messages;
  double wait_sum_us, wait_count, wait_hist[WAIT_BUCKETS];
  int last_send_errno;
  int no_gso; /* the kernel refused UDP_SEGMENT once: one message per packet from then on */
} qe_udp;

static void udp_release(qe_fdh *h) { free(h); }
static void udp_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  qe_fdh_finalize(env, &((qe_udp *)data)->h);
}

static qe_udp *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, int need_open) {
  napi_value self;
  void *p = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &p) != napi_ok || !p) return qe_throw_code(env, "ERR_INVALID_THIS", "not a Udp"), NULL;
  qe_udp *u = p;
  if (need_open && u->h.fd < 0) return qe_throw_errno(env, EBADF, "udp socket (closed)"), NULL;
  return u;
}

/* Sets a buffer size, trying the privileged FORCE variant first. Returns 0 or errno. */
static int set_buf(int fd, int force_opt, int opt, uint32_t size) {
  int v = (int)(size > 0x7fffffff ? 0x7fffffff : size);
  if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) == 0) return 0;
  if (setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v) == 0) return 0;
  return errno;
}

static int get_int_opt(int fd, int opt) {
  int v = 0;
  socklen_t l = sizeof v;
  getsockopt(fd, SOL_SOCKET, opt, &v, &l);
  return v;
}

static napi_value udp_new(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self, v;
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  napi_valuetype ty = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &ty);
  if (ty != napi_object) return napi_throw_type_error(env, "ERR_INVALID_ARG", "Udp: expected options"), NULL;
  uint32_t addr = 0, port = 0, rcv = 0, snd = 0;
  char dev[QE_IFNAME_CAP] = "";
  if (qe_opt_prop(env, argv[0], "address", &v) && !qe_arg_u32(env, v, "address", &addr)) return NULL;
  if (qe_opt_prop(env, argv[0], "port", &v) && !qe_arg_u32(env, v, "port", &port)) return NULL;
  if (port > 65535) return napi_throw_range_error(env, "ERR_INVALID_ARG", "port > 65535"), NULL;
  if (qe_opt_prop(env, argv[0], "device", &v) && !qe_arg_string(env, v, "device", dev, 16)) return NULL;
  if (qe_opt_prop(env, argv[0], "recvBufferSize", &v) && !qe_arg_u32(env, v, "recvBufferSize", &rcv)) return NULL;
  if (qe_opt_prop(env, argv[0], "sendBufferSize", &v) && !qe_arg_u32(env, v, "sendBufferSize", &snd)) return NULL;
  bool gso = true;
  if (qe_opt_prop(env, argv[0], "gso", &v)) napi_get_value_bool(env, v, &gso);

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return qe_throw_errno(env, errno, "socket AF_INET SOCK_DGRAM"), NULL;
  char what[96];
  int err = 0;
  int one = 1; /* receive timestamps for the socket-wait counters; best effort */
  (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  if (dev[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0) {
    err = errno;
    snprintf(what, sizeof what, "SO_BINDTODEVICE %s", dev);
  } else if (rcv && (err = set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcv))) {
    snprintf(what, sizeof what, "SO_RCVBUF %u", rcv);
  } else if (snd && (err = set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, snd))) {
    snprintf(what, sizeof what, "SO_SNDBUF %u", snd);
  } else {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(addr);
    sin.sin_port = htons((uint16_t)port);
    socklen_t sl = sizeof sin;
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
      err = errno;
      snprintf(what, sizeof what, "bind %u.%u.%u.%u:%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
               addr & 255, port);
    } else if (getsockname(fd, (struct sockaddr *)&sin, &sl) < 0) {
      err = errno;
      snprintf(what, sizeof what, "getsockname");
    } else {
      addr = ntohl(sin.sin_addr.s_addr);
      port = ntohs(sin.sin_port);
    }
  }
  if (err) {
    close(fd);
    return qe_throw_errno(env, err, what), NULL;
  }
  qe_udp *u = calloc(1, sizeof *u);
  if (!u) {
    close(fd);
    return qe_throw_errno(env, ENOMEM, "allocate Udp"), NULL;
  }
  if (!qe_fdh_init(env, &u->h, fd, "quicether.Udp") || napi_wrap(env, self, u, udp_finalize, NULL, NULL) != napi_ok) {
    qe_fdh_close(env, &u->h);
    free(u);
    qe_throw_last(env);
    return NULL;
  }
  u->h.release = udp_release;
  u->no_gso = !gso;
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, self, "fd", v);
  napi_set_named_property(env, self, "address", qe_u32(env, addr));
  napi_set_named_property(env, self, "port", qe_u32(env, port));
  napi_set_named_property(env, self, "recvBufferSize", qe_u32(env, (uint32_t)get_int_opt(fd, SO_RCVBUF)));
  napi_set_named_property(env, self, "sendBufferSize", qe_u32(env, (uint32_t)get_int_opt(fd, SO_SNDBUF)));
  return self;
}

static void count_wait(qe_udp *u, struct msghdr *m, const struct timespec *now) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    struct timespec ts;
    memcpy(&ts, CMSG_DATA(c), sizeof ts);
    double us = (double)(now->tv_sec - ts.tv_sec) * 1e6 + (double)(now->tv_nsec - ts.tv_nsec) / 1e3;
    if (us < 0) us = 0;
    u->wait_sum_us += us;
    u->wait_count += 1;
    int b = 0;
    while (b < WAIT_BUCKETS - 1 && us >= wait_bounds_us[b]) b++;
    u->wait_hist[b] += 1;
  }
}

static napi_value udp_recv_batch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  qe_udp *u = unwrap(env, info, &argc, argv, 1);
  if (!u) return NULL;
  uint8_t *slab;
  size_t slab_len, n_off, n_lens, n_addrs;
  uint32_t slot, head, max, *offsets, *lens, *addrs;
  if (argc < 7 || !qe_arg_bytes(env, argv[0], "slab", &slab, &slab_len) ||
      !qe_arg_u32(env, argv[1], "slotSize", &slot) || !qe_arg_u32(env, argv[2], "headroom", &head) ||
      !qe_arg_u32array(env, argv[3], "offsets", &offsets, &n_off) ||
      !qe_arg_u32array(env, argv[4], "lens", &lens, &n_lens) ||
      !qe_arg_u32array(env, argv[5], "addrs", &addrs, &n_addrs) || !qe_arg_u32(env, argv[6], "max", &max))
    return NULL;
  if (head >= slot || max > n_off || max > n_lens || (uint64_t)max * 2 > n_addrs || (uint64_t)slot * max > slab_len)
    return napi_throw_range_error(env, "ERR_INVALID_ARG", "recvBatch: arrays too small for max slots"), NULL;

  struct mmsghdr msgs[CHUNK];
  struct iovec iov[CHUNK];
  struct sockaddr_in from[CHUNK];
  union {
    char buf[CMSG_SPACE(sizeof(struct timespec))];
    struct cmsghdr align;
  } ctl[CHUNK];
  uint32_t n = 0;
  while (n < max) {
    unsigned want = max - n < CHUNK ? max - n : CHUNK;
    for (unsigned k = 0; k < want; k++) {
      iov[k].iov_base = slab + (size_t)(n + k) * slot + head;
      iov[k].iov_len = slot - head;
      memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
      msgs[k].msg_hdr.msg_name = &from[k];
      msgs[k].msg_hdr.msg_namelen = sizeof from[k];
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_control = ctl[k].buf;
      msgs[k].msg_hdr.msg_controllen = sizeof ctl[k].buf;
    }
    int r = recvmmsg(u->h.fd, msgs, want, MSG_DONTWAIT, NULL);
    if (r < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK || n > 0) break;
      return qe_throw_errno(env, e, "recvmmsg"), NULL;
    }
    struct timespec now; /* one clock read per recvmmsg, for every datagram's wait */
    clock_gettime(CLOCK_REALTIME, &now);
    for (int k = 0; k < r; k++) {
      uint32_t i = n + (uint32_t)k;
      offsets[i] = i * slot + head;
      lens[i] = msgs[k].msg_len;
      if (msgs[k].msg_hdr.msg_flags & MSG_TRUNC) u->truncated += 1;
      addrs[2 * i] = ntohl(from[k].sin_addr.s_addr);
      addrs[2 * i + 1] = ntohs(from[k].sin_port);
      count_wait(u, &msgs[k].msg_hdr, &now);
    }
    n += (uint32_t)r;
    if ((unsigned)r < want) break; /* queue drained */
  }
  return qe_u32(env, n);
}

static int per_packet_send_errno(int e) {
  return e == EMSGSIZE || e == ENETUNREACH || e == EHOSTUNREACH || e == EPERM || e == EACCES || e == ENOBUFS ||
         e == EINVAL || e == EADDRNOTAVAIL || e == ENETDOWN || e == ECONNREFUSED || e == EHOSTDOWN;
}

static napi_value udp_send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  qe_udp *u = unwrap(env, info, &argc, argv, 1);
  if (!u) return NULL;
  uint8_t *slab, *bursts = NULL;
  size_t slab_len, n_off, n_lens, n_addrs, n_bursts = 0;
  uint32_t start, end, *offsets, *lens, *addrs;
  if (argc < 6 || !qe_arg_bytes(env, argv[0], "slab", &slab, &slab_len) ||
      !qe_arg_u32array(env, argv[1], "offsets", &offsets, &n_off) ||
      !qe_arg_u32array(env, argv[2], "lens", &lens, &n_lens) ||
      !qe_arg_u32array(env, argv[3], "addrs", &addrs, &n_addrs) || !qe_arg_u32(env, argv[4], "start", &start) ||
      !qe_arg_u32(env, argv[5], "end", &end))
    return NULL;
  if (start > end || end > n_off || end > n_lens || (uint64_t)end * 2 > n_addrs)
    return napi_throw_range_error(env, "ERR_INVALID_ARG", "sendBatch: bad start/end"), NULL;
  napi_valuetype bt = napi_undefined;
  if (argc >= 7) napi_typeof(env, argv[6], &bt);
  if (bt != napi_undefined && bt != napi_null) {
    if (!qe_arg_bytes(env, argv[6], "bursts", &bursts, &n_bursts)) return NULL;
    if (end > n_bursts) return napi_throw_range_error(env, "ERR_INVALID_ARG", "sendBatch: bursts too short"), NULL;
  }

  for (uint32_t j = start; j < end; j++)
    if ((uint64_t)offsets[j] + lens[j] > slab_len)
      return napi_throw_range_error(env, "ERR_INVALID_ARG", "sendBatch: packet outside slab"), NULL;

  qe_udp_msgs m; /* ~10 KiB on the stack */
  uint32_t i = start;
  int gso = !u->no_gso;
  while (i < end) {
    unsigned nmsg = qe_udp_build_msgs(&m, slab, offsets, lens, addrs, bursts, i, end, gso);
    int r = sendmmsg(u->h.fd, m.msgs, nmsg, MSG_DONTWAIT);
    if (r > 0) {
      /* A short count means message r failed: the next call reports why. */
      for (int k = 0; k < r; k++) {
        i += m.count[k];
        if (m.count[k] > 1) u->gso_messages += 1;
      }
      continue;
    }
    int e = r == 0 ? EAGAIN : errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK) break;
    if (m.count[0] > 1 && (e == EINVAL || e == EIO || e == ENOPROTOOPT || e == EOPNOTSUPP)) {
      /* GSO refused for this socket or route: resend these packets one per message, for good. */
      u->no_gso = 1;
      gso = 0;
      continue;
    }
    if (per_packet_send_errno(e)) { /* the first message failed: drop its packets */
      u->send_errors += m.count[0];
      u->last_send_errno = e;
      i += m.count[0];
      continue;
    }
    if (i > start) break;
    return qe_throw_errno(env, e, "sendmmsg"), NULL;
  }
  return qe_u32(env, i - start);
}

static napi_value udp_counters(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  qe_udp *u = unwrap(env, info, &argc, NULL, 0);
  if (!u) return NULL;
  napi_value o, v;
  QE_CALL(env, napi_create_object(env, &o));
  napi_create_double(env, u->truncated, &v);
  napi_set_named_property(env, o, "truncated", v);
  napi_create_double(env, u->send_errors, &v);
  napi_set_named_property(env, o, "sendErrors", v);
  napi_create_string_utf8(env, u->last_send_errno ? qe_errno_name(u->last_send_errno) : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "lastSendError", v);
  napi_create_double(env, u->gso_messages, &v);
  napi_set_named_property(env, o, "gsoMessages", v);
  napi_create_double(env, u->wait_sum_us, &v);
  napi_set_named_property(env, o, "rxWaitSumUs", v);
  napi_create_double(env, u->wait_count, &v);
  napi_set_named_property(env, o, "rxWaitCount", v);
  napi_value hist;
  napi_create_array_with_length(env, WAIT_BUCKETS, &hist);
  for (uint32_t b = 0; b < WAIT_BUCKETS; b++) {
    napi_create_double(env, u->wait_hist[b], &v);
    napi_set_element(env, hist, b, v);
  }
  napi_set_named_property(env, o, "rxWaitHist", hist);
  napi_get_boolean(env, !u->no_gso, &v);
  napi_set_named_property(env, o, "gso", v);
  return o;
}

static napi_value udp_set_readable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  qe_udp *u = unwrap(env, info, &argc, argv, 0);
  if (!u) return NULL;
  if (argc < 1) napi_get_null(env, &argv[0]);
  return qe_fdh_set_readable(env, &u->h, argv[0]);
}

static napi_value udp_arm_writable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  qe_udp *u = unwrap(env, info, &argc, argv, 0);
  if (!u) return NULL;
  if (argc < 1) napi_get_null(env, &argv[0]);
  return qe_fdh_arm_writable(env, &u->h, argv[0]);
}

static napi_value udp_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  qe_udp *u = unwrap(env, info, &argc, NULL, 0);
  if (u) qe_fdh_close(env, &u->h);
  return NULL;
}

napi_value qe_init_udp(napi_env env, napi_value exports) {
  napi_property_descriptor m[] = {
      {"recvBatch", NULL, udp_recv_batch, NULL, NULL, NULL, napi_default_method, NULL},
      {"sendBatch", NULL, udp_send_batch, NULL, NULL, NULL, napi_default_method, NULL},
      {"counters", NULL, udp_counters, NULL, NULL, NULL, napi_default_method, NULL},
      {"setReadable", NULL, udp_set_readable, NULL, NULL, NULL, napi_default_method, NULL},
      {"armWritable", NULL, udp_arm_writable, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, udp_close, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls;
  QE_CALL(env, napi_define_class(env, "Udp", NAPI_AUTO_LENGTH, udp_new, NULL, sizeof m / sizeof m[0], m, &cls));
  QE_CALL(env, napi_set_named_property(env, exports, "Udp", cls));
  return exports;
}
#endif
