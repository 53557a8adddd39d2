/*
 * Shared declarations for the quicether N-API addon (plain C, N-API version 8 only, so the same
 * .node file loads under Node and under Electron's Node).
 *
 * Conventions used by every file:
 *  - Functions that can fail return 0 on success or a positive errno value; they never throw.
 *    Only the N-API glue throws, through qe_throw_errno(), so every JS error carries
 *    `.code` = the errno name ("EPERM") and a message "<what was attempted>: <NAME> (<strerror>)".
 *  - Buffers passed from JS are borrowed for the duration of one call only; nothing native keeps
 *    a pointer into JS memory after returning.
 */
#ifndef QE_H
#define QE_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <uv.h>
#include <stddef.h>
#include <stdint.h>

/* Returns from the enclosing N-API callback (with NULL) when an N-API call fails; the failed call
 * has already left a pending JS exception or we raise a generic one. */
#define QE_CALL(env, call)                                                        \
  do {                                                                            \
    if ((call) != napi_ok) {                                                      \
      qe_throw_last(env);                                                         \
      return NULL;                                                                \
    }                                                                             \
  } while (0)

/* errors.c */
const char *qe_errno_name(int err);
void qe_throw_errno(napi_env env, int err, const char *what);
void qe_throw_code(napi_env env, const char *code, const char *msg);
void qe_throw_last(napi_env env);

/* args.c: argument helpers; each returns 0 and throws a TypeError (code ERR_INVALID_ARG) on misuse. */
int qe_arg_u32(napi_env env, napi_value v, const char *name, uint32_t *out);
int qe_arg_string(napi_env env, napi_value v, const char *name, char *buf, size_t cap);
int qe_arg_bytes(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len);
int qe_arg_u32array(napi_env env, napi_value v, const char *name, uint32_t **data, size_t *len);
int qe_opt_prop(napi_env env, napi_value obj, const char *key, napi_value *out); /* 1 = present */
napi_value qe_u32(napi_env env, uint32_t v);

/* fdhandle.c: a non-blocking fd watched by one uv_poll_t, shared by the Tun and Udp classes.
 *
 * Lifetime: embedded in a heap object owned by a JS wrapper. qe_fdh_close() stops the poll, hands
 * the uv handle to uv_close (freed in its close callback, never touched again), and closes the
 * fd. It is idempotent and is also called from the wrapper's finalizer. Callbacks run on the JS
 * thread through napi_make_callback, so microtasks scheduled by them run right after. */
typedef struct qe_fdh {
  napi_env env;
  int fd;                  /* -1 once closed */
  uv_poll_t *poll;         /* NULL until first armed; released through uv_close */
  int events;              /* UV_READABLE | UV_WRITABLE currently requested */
  napi_ref on_readable;    /* strong ref while set: level-triggered, called each loop turn the fd is readable */
  napi_ref on_writable;    /* one-shot: cleared before it is called */
  napi_async_context actx; /* one async context per handle, for napi_make_callback */
  napi_ref resource;       /* the async resource object, kept for napi_async_destroy */
  int closing;             /* uv_close issued, its callback not run yet */
  int finalized;           /* JS wrapper gone */
  void (*release)(struct qe_fdh *h); /* frees the owner struct; called once both are true */
} qe_fdh;

int qe_fdh_init(napi_env env, qe_fdh *h, int fd, const char *resource_name);
napi_value qe_fdh_set_readable(napi_env env, qe_fdh *h, napi_value cb); /* cb null/undefined = stop */
napi_value qe_fdh_arm_writable(napi_env env, qe_fdh *h, napi_value cb);
void qe_fdh_close(napi_env env, qe_fdh *h);
void qe_fdh_finalize(napi_env env, qe_fdh *h); /* from the wrapper's finalizer */

/* Module pieces: each adds its exports to `exports`. */
napi_value qe_init_tun(napi_env env, napi_value exports);
napi_value qe_init_udp(napi_env env, napi_value exports);
napi_value qe_init_peercred(napi_env env, napi_value exports);
napi_value qe_init_offload_test(napi_env env, napi_value exports);

/* Platform TUN primitives (tun-linux.c / tun-darwin.c). All return 0 or an errno; `what` receives
 * a short description of the step that failed (for the error message). */
typedef struct qe_tun_config {
  uint32_t mtu;        /* 0 = leave unchanged */
  int has_addr;        /* IPv4 address + prefix present */
  uint32_t addr;       /* host byte order */
  uint32_t prefix;     /* 0..32 */
  int up;              /* 1 = set IFF_UP, 0 = leave flags alone */
  uint32_t txqueuelen; /* 0 = leave unchanged (Linux only) */
} qe_tun_config;

#define QE_WHAT_CAP 96
#define QE_IFNAME_CAP 32
/* *offload in: 1 = try IFF_VNET_HDR with TSO4/checksum offload; out: 1 when it is on. */
int qe_tun_open(const char *name, char *actual_name /* QE_IFNAME_CAP */, int *fd_out, char *what, int *offload);
int qe_tun_configure(const char *name, const qe_tun_config *cfg, char *what);
/* One packet; returns bytes read, or -errno (-EAGAIN when empty). */
long qe_tun_read(int fd, uint8_t *buf, size_t cap);
/* One packet; returns bytes written, or -errno. */
long qe_tun_write(int fd, const uint8_t *buf, size_t len);
/* One packet from two pieces (virtio-net header + packet); returns bytes written, or -errno. */
long qe_tun_writev2(int fd, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
