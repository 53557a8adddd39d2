/*
 * Error reporting. Every error thrown by the addon is a JS Error with:
 *   .code    = errno name, e.g. "EPERM" (or "ERR_INVALID_ARG" for misuse from JS)
 *   .message = "<what was attempted>: <NAME> (<strerror text>)", e.g.
 *              "TUNSETIFF quicether0: EPERM (Operation not permitted)"
 * Names come from a fixed table (not strerrorname_np) so the file builds on glibc, musl and macOS.
 */
#include "qe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define E(name) \
  case name:    \
    return #name

const char *qe_errno_name(int err) {
  switch (err) {
    E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG); E(EBADF);
    E(ENOMEM); E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(ENODEV); E(ENOTDIR);
    E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ENOSPC); E(EPIPE); E(ERANGE);
    E(EAGAIN); E(EINPROGRESS); E(EALREADY); E(ENOTSOCK); E(EDESTADDRREQ); E(EMSGSIZE);
    E(EPROTOTYPE); E(ENOPROTOOPT); E(EPROTONOSUPPORT); E(EOPNOTSUPP); E(EAFNOSUPPORT);
    E(EADDRINUSE); E(EADDRNOTAVAIL); E(ENETDOWN); E(ENETUNREACH); E(ECONNABORTED);
    E(ECONNRESET); E(ENOBUFS); E(EISCONN); E(ENOTCONN); E(ETIMEDOUT); E(ECONNREFUSED);
    E(EHOSTDOWN); E(EHOSTUNREACH); E(ENAMETOOLONG); E(ENOSYS);
#ifdef EBADFD
    E(EBADFD);
#endif
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    E(ENOTSUP);
#endif
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    E(EWOULDBLOCK);
#endif
    default:
      return "EUNKNOWN";
  }
}
#undef E

void qe_throw_code(napi_env env, const char *code, const char *msg) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return; /* keep the first, most specific error */
  napi_throw_error(env, code, msg);
}

void qe_throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, qe_errno_name(err), strerror(err));
  qe_throw_code(env, qe_errno_name(err), msg);
}

/* After a failed napi_* call: surface its message unless an exception is already pending. */
void qe_throw_last(napi_env env) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  qe_throw_code(env, "ERR_NAPI",
                info && info->error_message ? info->error_message : "N-API call failed");
}
