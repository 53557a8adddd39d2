/*
 * Argument checking for the N-API glue. Each helper returns 1 on success; on misuse it throws a
 * TypeError with code ERR_INVALID_ARG naming the argument and returns 0, so callers write
 *   if (!qe_arg_u32(env, argv[1], "slotSize", &slot)) return NULL;
 */
#include "qe.h"

#include <stdio.h>
#include <string.h>

static int bad(napi_env env, const char *name, const char *expected) {
  char msg[160];
  snprintf(msg, sizeof msg, "argument %s: expected %s", name, expected);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
  return 0;
}

int qe_arg_u32(napi_env env, napi_value v, const char *name, uint32_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return bad(env, name, "a number");
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d)
    return bad(env, name, "an integer in 0..2^32-1");
  *out = (uint32_t)d;
  return 1;
}

int qe_arg_string(napi_env env, napi_value v, const char *name, char *buf, size_t cap) {
  napi_valuetype t;
  size_t len = 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) return bad(env, name, "a string");
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return bad(env, name, "a string");
  if (len + 1 > cap) {
    char what[64];
    snprintf(what, sizeof what, "a string of at most %zu bytes", cap - 1);
    return bad(env, name, what);
  }
  napi_get_value_string_utf8(env, v, buf, cap, &len);
  return 1;
}

/* Accepts a Buffer or any TypedArray/Uint8Array; returns its byte view. */
int qe_arg_bytes(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (is) {
    napi_typedarray_type type;
    size_t n;
    void *p;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, v, &type, &n, &p, &ab, &off) != napi_ok) return bad(env, name, "a Uint8Array");
    if (type != napi_uint8_array) return bad(env, name, "a Buffer or Uint8Array");
    *data = p;
    *len = n;
    return 1;
  }
  return bad(env, name, "a Buffer or Uint8Array");
}

int qe_arg_u32array(napi_env env, napi_value v, const char *name, uint32_t **data, size_t *len) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return bad(env, name, "a Uint32Array");
  napi_typedarray_type type;
  size_t n;
  void *p;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &n, &p, &ab, &off) != napi_ok || type != napi_uint32_array)
    return bad(env, name, "a Uint32Array");
  *data = p;
  *len = n;
  return 1;
}

int qe_opt_prop(napi_env env, napi_value obj, const char *key, napi_value *out) {
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, obj, key, out) != napi_ok) return 0;
  napi_valuetype t;
  napi_typeof(env, *out, &t);
  return t != napi_undefined && t != napi_null;
}

napi_value qe_u32(napi_env env, uint32_t v) {
  napi_value r = NULL;
  napi_create_uint32(env, v, &r);
  return r;
}
