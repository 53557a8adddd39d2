/*
 * quicether.node entry point. Exports:
 *   Tun (class), Udp (class, Linux only), peerCredentials(fd), throwErrnoForTest(errno, what),
 *   offloadForTest (offload-napi.c),
 *   platform (string), addrWords (2: Uint32 words per packet address, see udp-linux.c).
 * The typed surface and the loader with its fallback live in native/index.ts.
 */
#include "qe.h"

static napi_value init(napi_env env, napi_value exports) {
  if (!qe_init_tun(env, exports)) return NULL;
#ifdef __linux__
  if (!qe_init_udp(env, exports)) return NULL;
#endif
  if (!qe_init_peercred(env, exports)) return NULL;
  if (!qe_init_offload_test(env, exports)) return NULL;
  napi_value v;
#if defined(__linux__)
  napi_create_string_utf8(env, "linux", NAPI_AUTO_LENGTH, &v);
#elif defined(__APPLE__)
  napi_create_string_utf8(env, "darwin", NAPI_AUTO_LENGTH, &v);
#else
  napi_create_string_utf8(env, "other", NAPI_AUTO_LENGTH, &v);
#endif
  napi_set_named_property(env, exports, "platform", v);
  napi_set_named_property(env, exports, "addrWords", qe_u32(env, 2));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
