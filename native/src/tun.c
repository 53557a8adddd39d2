/*
 * N-API class `Tun`: a TUN device fd with batched, caller-owned-buffer reads and writes. The
 * platform work (open, configure, one read/write) is in tun-linux.c / tun-darwin.c.
 *
 * JS contract (see native/index.ts for the typed surface):
 *   new Tun(name)                 opens the device (non-blocking, close-on-exec); .fd, .name set.
 *   configure({mtu?, address?: u32 host order, prefixLength?, up?, txQueueLen?})
 *   readBatch(slab, slotSize, headroom, offsets, lens, max) -> count
 *       Reads up to `max` packets until EAGAIN. Packet i is stored at i*slotSize + headroom, with
 *       room for slotSize - headroom bytes; offsets[i] and lens[i] are set. Returns 0 when empty.
 *       A packet longer than the room is truncated by the kernel (size slots >= MTU).
 *   writeBatch(slab, offsets, lens, start, end) -> consumed
 *       Writes packets start..end-1 (slab[offsets[i] .. +lens[i]]). Returns how many were consumed
 *       from `start`: written, or dropped for a per-packet error (counted in writeErrors, e.g.
 *       EINVAL for a non-IP packet). Stops early on EAGAIN. A device-level error (EIO when the
 *       link is down, EBADF...) stops the batch; it is thrown if nothing was consumed yet,
 *       otherwise the next call meets it at its first packet and throws then.
 *   setReadable(cb | null), armWritable(cb | null), close()   see fdhandle.c
 *   counters() -> { writeErrors, lastWriteErrno }
 * Buffers are only borrowed during each call.
 */
#include "qe.h"
#include "offload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  qe_fdh h; /* first member: the release hook casts back */
  char name[QE_IFNAME_CAP];
  double write_errors;
  int last_write_errno;
  qe_offload *ol; /* NULL: plain TUN */
} qe_tun;

static void tun_release(qe_fdh *h) {
  qe_offload_free(((qe_tun *)h)->ol);
  free(h);
}

static void tun_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  qe_fdh_finalize(env, &((qe_tun *)data)->h);
}

static qe_tun *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *p = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &p) != napi_ok || !p) {
    qe_throw_code(env, "ERR_INVALID_THIS", "not a Tun");
    return NULL;
  }
  return p;
}

static qe_tun *unwrap_open(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, const char *op) {
  qe_tun *t = unwrap(env, info, argc, argv);
  if (t && t->h.fd < 0) {
    char what[QE_WHAT_CAP + QE_IFNAME_CAP];
    snprintf(what, sizeof what, "%s %s (closed)", op, t->name);
    qe_throw_errno(env, EBADF, what);
    return NULL;
  }
  return t;
}

static napi_value tun_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, v;
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  char name[QE_IFNAME_CAP + 32];
  if (argc < 1 || !qe_arg_string(env, argv[0], "name", name, sizeof name)) return NULL;
  int offload = 0;
  napi_valuetype ty = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &ty);
  if (ty == napi_object && qe_opt_prop(env, argv[1], "offload", &v)) {
    bool b = false;
    napi_get_value_bool(env, v, &b);
    offload = b;
  }
  qe_tun *t = calloc(1, sizeof *t);
  if (!t) return qe_throw_errno(env, ENOMEM, "allocate Tun"), NULL;
  if (offload && !(t->ol = qe_offload_new())) {
    free(t);
    return qe_throw_errno(env, ENOMEM, "allocate Tun offload buffers"), NULL;
  }
  char what[QE_WHAT_CAP];
  int fd = -1;
  int err = qe_tun_open(name, t->name, &fd, what, &offload);
  if (err) {
    tun_release(&t->h);
    qe_throw_errno(env, err, what);
    return NULL;
  }
  if (!offload) {
    qe_offload_free(t->ol);
    t->ol = NULL;
  }
  if (!qe_fdh_init(env, &t->h, fd, "quicether.Tun")) {
    qe_fdh_close(env, &t->h);
    tun_release(&t->h);
    qe_throw_last(env);
    return NULL;
  }
  t->h.release = tun_release;
  if (napi_wrap(env, self, t, tun_finalize, NULL, NULL) != napi_ok) {
    qe_fdh_close(env, &t->h);
    tun_release(&t->h);
    qe_throw_last(env);
    return NULL;
  }
  napi_create_string_utf8(env, t->name, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, self, "name", v);
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, self, "fd", v);
  napi_get_boolean(env, t->ol != NULL, &v);
  napi_set_named_property(env, self, "offload", v);
  return self;
}

static napi_value tun_configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], v;
  qe_tun *t = unwrap_open(env, info, &argc, argv, "configure");
  if (!t) return NULL;
  napi_valuetype ty = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &ty);
  if (ty != napi_object) return napi_throw_type_error(env, "ERR_INVALID_ARG", "configure: expected options"), NULL;
  qe_tun_config cfg;
  memset(&cfg, 0, sizeof cfg);
  if (qe_opt_prop(env, argv[0], "mtu", &v) && !qe_arg_u32(env, v, "mtu", &cfg.mtu)) return NULL;
  if (qe_opt_prop(env, argv[0], "txQueueLen", &v) && !qe_arg_u32(env, v, "txQueueLen", &cfg.txqueuelen)) return NULL;
  if (qe_opt_prop(env, argv[0], "address", &v)) {
    if (!qe_arg_u32(env, v, "address", &cfg.addr)) return NULL;
    cfg.has_addr = 1;
    cfg.prefix = 32;
    if (qe_opt_prop(env, argv[0], "prefixLength", &v) && !qe_arg_u32(env, v, "prefixLength", &cfg.prefix)) return NULL;
    if (cfg.prefix > 32) return napi_throw_range_error(env, "ERR_INVALID_ARG", "prefixLength > 32"), NULL;
  }
  if (qe_opt_prop(env, argv[0], "up", &v)) {
    bool b = false;
    napi_get_value_bool(env, v, &b);
    cfg.up = b;
  }
  char what[QE_WHAT_CAP];
  int err = qe_tun_configure(t->name, &cfg, what);
  if (err) qe_throw_errno(env, err, what);
  return NULL;
}

static napi_value tun_read_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  qe_tun *t = unwrap_open(env, info, &argc, argv, "read");
  if (!t) return NULL;
  uint8_t *slab;
  size_t slab_len, n_off, n_lens;
  uint32_t slot, head, max, *offsets, *lens;
  if (argc < 6 || !qe_arg_bytes(env, argv[0], "slab", &slab, &slab_len) ||
      !qe_arg_u32(env, argv[1], "slotSize", &slot) || !qe_arg_u32(env, argv[2], "headroom", &head) ||
      !qe_arg_u32array(env, argv[3], "offsets", &offsets, &n_off) ||
      !qe_arg_u32array(env, argv[4], "lens", &lens, &n_lens) || !qe_arg_u32(env, argv[5], "max", &max))
    return NULL;
  if (head >= slot || max > n_off || max > n_lens || (uint64_t)slot * max > slab_len)
    return napi_throw_range_error(env, "ERR_INVALID_ARG", "readBatch: slab/offsets/lens too small for max slots"), NULL;
  if (t->ol) {
    uint32_t got = 0;
    long e = qe_offload_read(t->ol, t->h.fd, slab, slot, head, offsets, lens, max, &got);
    if (e < 0) {
      char what[QE_WHAT_CAP + QE_IFNAME_CAP];
      snprintf(what, sizeof what, "read %s", t->name);
      qe_throw_errno(env, (int)-e, what);
      return NULL;
    }
    return qe_u32(env, got);
  }
  uint32_t n = 0;
  while (n < max) {
    uint32_t off = n * slot + head;
    long r = qe_tun_read(t->h.fd, slab + off, slot - head);
    if (r < 0) {
      if (r == -EAGAIN || r == -EWOULDBLOCK) break;
      if (n > 0) break; /* deliver what we have; the error repeats on the next call */
      char what[QE_WHAT_CAP + QE_IFNAME_CAP];
      snprintf(what, sizeof what, "read %s", t->name);
      qe_throw_errno(env, (int)-r, what);
      return NULL;
    }
    offsets[n] = off;
    lens[n] = (uint32_t)r;
    n++;
  }
  return qe_u32(env, n);
}

static int fatal_write_errno(int e) {
  return e == EBADF || e == EIO || e == EFAULT || e == ENODEV || e == ENXIO
#ifdef EBADFD
         || e == EBADFD
#endif
      ;
}

static napi_value tun_write_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  qe_tun *t = unwrap_open(env, info, &argc, argv, "write");
  if (!t) return NULL;
  uint8_t *slab;
  size_t slab_len, n_off, n_lens;
  uint32_t start, end, *offsets, *lens;
  if (argc < 5 || !qe_arg_bytes(env, argv[0], "slab", &slab, &slab_len) ||
      !qe_arg_u32array(env, argv[1], "offsets", &offsets, &n_off) ||
      !qe_arg_u32array(env, argv[2], "lens", &lens, &n_lens) || !qe_arg_u32(env, argv[3], "start", &start) ||
      !qe_arg_u32(env, argv[4], "end", &end))
    return NULL;
  if (start > end || end > n_off || end > n_lens)
    return napi_throw_range_error(env, "ERR_INVALID_ARG", "writeBatch: bad start/end"), NULL;
  for (uint32_t k = start; k < end; k++)
    if ((uint64_t)offsets[k] + lens[k] > slab_len)
      return napi_throw_range_error(env, "ERR_INVALID_ARG", "writeBatch: packet outside slab"), NULL;
  uint32_t i = start;
  for (; i < end; i++) {
    uint32_t merged = 1;
    long r;
    if (t->ol) r = qe_offload_write(t->ol, t->h.fd, slab, offsets, lens, i, end, &merged);
    else r = qe_tun_write(t->h.fd, slab + offsets[i], lens[i]);
    if (r >= 0) {
      i += merged - 1;
      continue;
    }
    int e = (int)-r;
    if (e == EAGAIN || e == EWOULDBLOCK) break;
    if (fatal_write_errno(e)) {
      if (i > start) break;
      char what[QE_WHAT_CAP + QE_IFNAME_CAP];
      snprintf(what, sizeof what, "write %s", t->name);
      qe_throw_errno(env, e, what);
      return NULL;
    }
    t->write_errors += 1; /* per-packet: drop it and go on */
    t->last_write_errno = e;
  }
  return qe_u32(env, i - start);
}

static napi_value tun_counters(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  qe_tun *t = unwrap(env, info, &argc, NULL);
  if (!t) return NULL;
  napi_value o, v;
  QE_CALL(env, napi_create_object(env, &o));
  napi_create_double(env, t->write_errors, &v);
  napi_set_named_property(env, o, "writeErrors", v);
  napi_create_string_utf8(env, t->last_write_errno ? qe_errno_name(t->last_write_errno) : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "lastWriteError", v);
  if (t->ol) {
    const struct {
      const char *k;
      double v;
    } f[] = {{"superReads", t->ol->super_reads},   {"segmentsOut", t->ol->segments_out},
             {"mergedWrites", t->ol->merged_writes}, {"segmentsMerged", t->ol->segments_merged},
             {"badOffload", t->ol->bad_offload}};
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
      napi_create_double(env, f[k].v, &v);
      napi_set_named_property(env, o, f[k].k, v);
    }
  }
  return o;
}

/* Segments of a super-packet still waiting for slots: call readBatch again even if the fd is idle. */
static napi_value tun_pending(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  qe_tun *t = unwrap(env, info, &argc, NULL);
  if (!t) return NULL;
  return qe_u32(env, t->ol && t->h.fd >= 0 ? qe_offload_pending(t->ol) : 0);
}

static napi_value tun_set_readable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  qe_tun *t = unwrap(env, info, &argc, argv);
  if (!t) return NULL;
  if (argc < 1) napi_get_null(env, &argv[0]);
  return qe_fdh_set_readable(env, &t->h, argv[0]);
}

static napi_value tun_arm_writable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  qe_tun *t = unwrap(env, info, &argc, argv);
  if (!t) return NULL;
  if (argc < 1) napi_get_null(env, &argv[0]);
  return qe_fdh_arm_writable(env, &t->h, argv[0]);
}

static napi_value tun_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  qe_tun *t = unwrap(env, info, &argc, NULL);
  if (t) qe_fdh_close(env, &t->h);
  return NULL;
}

napi_value qe_init_tun(napi_env env, napi_value exports) {
  napi_property_descriptor m[] = {
      {"configure", NULL, tun_configure, NULL, NULL, NULL, napi_default_method, NULL},
      {"readBatch", NULL, tun_read_batch, NULL, NULL, NULL, napi_default_method, NULL},
      {"writeBatch", NULL, tun_write_batch, NULL, NULL, NULL, napi_default_method, NULL},
      {"counters", NULL, tun_counters, NULL, NULL, NULL, napi_default_method, NULL},
      {"pending", NULL, tun_pending, NULL, NULL, NULL, napi_default_method, NULL},
      {"setReadable", NULL, tun_set_readable, NULL, NULL, NULL, napi_default_method, NULL},
      {"armWritable", NULL, tun_arm_writable, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, tun_close, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls;
  QE_CALL(env, napi_define_class(env, "Tun", NAPI_AUTO_LENGTH, tun_new, NULL, sizeof m / sizeof m[0], m, &cls));
  QE_CALL(env, napi_set_named_property(env, exports, "Tun", cls));
  return exports;
}
