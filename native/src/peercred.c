/*
 * peerCredentials(fd) -> { pid, uid, gid } of the process at the other end of a connected Unix
 * domain socket, as the kernel recorded them at connect() time (SO_PEERCRED on Linux; getpeereid
 * plus LOCAL_PEERPID on macOS). The helper uses it to authorize control-socket clients.
 * Throws (code = errno name) when fd is not a connected Unix socket.
 */
#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred */
#endif
#endif
#include "qe.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t fd;
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !qe_arg_u32(env, argv[0], "fd", &fd)) return NULL;
  char what[64];
  snprintf(what, sizeof what, "peer credentials of fd %u", fd);
  int64_t pid;
  uint32_t uid, gid;
  /* Only a Unix socket has a meaningful peer: on Linux a TCP socket answers SO_PEERCRED with
   * pid 0 and the overflow uid instead of failing, which must never pass for a real peer. */
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getsockname((int)fd, (struct sockaddr *)&ss, &sl) < 0) return qe_throw_errno(env, errno, what), NULL;
  if (ss.ss_family != AF_UNIX) return qe_throw_errno(env, EAFNOSUPPORT, what), NULL;
#if defined(__linux__)
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt((int)fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return qe_throw_errno(env, errno, what), NULL;
  pid = cred.pid;
  uid = cred.uid;
  gid = cred.gid;
#elif defined(__APPLE__)
  uid_t u;
  gid_t g;
  pid_t p = 0;
  socklen_t len = sizeof p;
  if (getpeereid((int)fd, &u, &g) < 0) return qe_throw_errno(env, errno, what), NULL;
  if (getsockopt((int)fd, SOL_LOCAL, LOCAL_PEERPID, &p, &len) < 0) p = 0;
  pid = p;
  uid = u;
  gid = g;
#else
  return qe_throw_errno(env, ENOSYS, what), NULL;
#endif
  napi_value o, v;
  QE_CALL(env, napi_create_object(env, &o));
  napi_create_int64(env, pid, &v);
  napi_set_named_property(env, o, "pid", v);
  napi_set_named_property(env, o, "uid", qe_u32(env, uid));
  napi_set_named_property(env, o, "gid", qe_u32(env, gid));
  return o;
}

/* Test hook: throws exactly what a failed syscall would, so the errno formatting path can be
 * checked without provoking real failures. */
static napi_value throw_errno_for_test(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t err;
  char what[QE_WHAT_CAP];
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !qe_arg_u32(env, argv[0], "errno", &err) || !qe_arg_string(env, argv[1], "what", what, sizeof what))
    return NULL;
  qe_throw_errno(env, (int)err, what);
  return NULL;
}

napi_value qe_init_peercred(napi_env env, napi_value exports) {
  napi_property_descriptor m[] = {
      {"peerCredentials", NULL, peer_credentials, NULL, NULL, NULL, napi_enumerable, NULL},
      {"throwErrnoForTest", NULL, throw_errno_for_test, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  QE_CALL(env, napi_define_properties(env, exports, sizeof m / sizeof m[0], m));
  return exports;
}
