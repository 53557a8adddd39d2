/*
 * `offloadForTest`: the pure packet work of offload.c exposed to JS so that its tests can feed it
 * packets without a TUN device (test/unit/io/offload.test.ts). Not used by the helper.
 *   tsoSplit(pkt, gsoSize, slab, slotSize) -> segment count (-1: not segmentable); segment i
 *       is written at i*slotSize, its length read back with the IP total length.
 *   groRun(slab, offsets, lens, count) -> packets in the first mergeable run (>= 1)
 *   groMerge(slab, offsets, lens, count, out) -> [length, flags, gsoType, hdrLen, gsoSize,
 *       csumStart, csumOffset]: the merged packet in out and its virtio-net header
 *   csumComplete(pkt, start, offset) -> 0, or -1 when the offsets fall outside pkt
 */
#include "offload.h"
#include "qe.h"

#include <string.h>

static napi_value i32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

static napi_value tso_split(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *pkt, *slab;
  size_t plen, slen;
  uint32_t gso, slot;
  if (argc < 4 || !qe_arg_bytes(env, argv[0], "pkt", &pkt, &plen) || !qe_arg_u32(env, argv[1], "gsoSize", &gso) ||
      !qe_arg_bytes(env, argv[2], "slab", &slab, &slen) || !qe_arg_u32(env, argv[3], "slotSize", &slot))
    return NULL;
  qe_tso_plan plan;
  if (gso > 65535 || qe_tso4_plan(pkt, plen, (uint16_t)gso, &plan) != 0) return i32(env, -1);
  if (plan.hdr_len + plan.gso_size > slot || (uint64_t)plan.segments * slot > slen)
    return napi_throw_range_error(env, "ERR_INVALID_ARG", "tsoSplit: slab too small"), NULL;
  for (uint32_t i = 0; i < plan.segments; i++) qe_tso4_segment(pkt, &plan, i, slab + (size_t)i * slot);
  return i32(env, (int32_t)plan.segments);
}

/* The packet pointers and lengths of a (slab, offsets, lens, count) argument list. */
static int packets(napi_env env, napi_value *argv, const uint8_t **pkts, uint32_t **lens, uint32_t *count) {
  uint8_t *slab;
  size_t slen, no, nl;
  uint32_t *offsets;
  if (!qe_arg_bytes(env, argv[0], "slab", &slab, &slen) || !qe_arg_u32array(env, argv[1], "offsets", &offsets, &no) ||
      !qe_arg_u32array(env, argv[2], "lens", lens, &nl) || !qe_arg_u32(env, argv[3], "count", count))
    return 0;
  if (*count == 0 || *count > 64 || *count > no || *count > nl) {
    napi_throw_range_error(env, "ERR_INVALID_ARG", "count: 1..64 and within offsets/lens");
    return 0;
  }
  for (uint32_t i = 0; i < *count; i++) {
    if ((uint64_t)offsets[i] + (*lens)[i] > slen) {
      napi_throw_range_error(env, "ERR_INVALID_ARG", "packet outside slab");
      return 0;
    }
    pkts[i] = slab + offsets[i];
  }
  return 1;
}

static napi_value gro_run(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const uint8_t *pkts[64];
  uint32_t *lens, count;
  if (argc < 4 || !packets(env, argv, pkts, &lens, &count)) return NULL;
  return i32(env, (int32_t)qe_gro4_run(pkts, lens, count, QE_SUPER_MAX));
}

static napi_value gro_merge(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const uint8_t *pkts[64];
  uint32_t *lens, count;
  uint8_t *out;
  size_t olen;
  if (argc < 5 || !packets(env, argv, pkts, &lens, &count) || !qe_arg_bytes(env, argv[4], "out", &out, &olen))
    return NULL;
  if (count < 2 || qe_gro4_run(pkts, lens, count, QE_SUPER_MAX) != count || olen < QE_SUPER_MAX)
    return napi_throw_range_error(env, "ERR_INVALID_ARG", "groMerge: not one mergeable run, or out too small"), NULL;
  qe_vnet_hdr vh;
  uint32_t len = qe_gro4_merge(pkts, lens, count, out, &vh);
  int32_t vals[7] = {(int32_t)len, vh.flags, vh.gso_type, vh.hdr_len, vh.gso_size, vh.csum_start, vh.csum_offset};
  napi_value arr;
  QE_CALL(env, napi_create_array_with_length(env, 7, &arr));
  for (uint32_t i = 0; i < 7; i++) napi_set_element(env, arr, i, i32(env, vals[i]));
  return arr;
}

static napi_value csum_complete(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  QE_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *pkt;
  size_t len;
  uint32_t start, offset;
  if (argc < 3 || !qe_arg_bytes(env, argv[0], "pkt", &pkt, &len) || !qe_arg_u32(env, argv[1], "start", &start) ||
      !qe_arg_u32(env, argv[2], "offset", &offset))
    return NULL;
  if (start > 65535 || offset > 65535) return i32(env, -1);
  return i32(env, qe_csum_complete(pkt, len, (uint16_t)start, (uint16_t)offset));
}

napi_value qe_init_offload_test(napi_env env, napi_value exports) {
  napi_property_descriptor m[] = {
      {"tsoSplit", NULL, tso_split, NULL, NULL, NULL, napi_enumerable, NULL},
      {"groRun", NULL, gro_run, NULL, NULL, NULL, napi_enumerable, NULL},
      {"groMerge", NULL, gro_merge, NULL, NULL, NULL, napi_enumerable, NULL},
      {"csumComplete", NULL, csum_complete, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value o;
  QE_CALL(env, napi_create_object(env, &o));
  QE_CALL(env, napi_define_properties(env, o, sizeof m / sizeof m[0], m));
  QE_CALL(env, napi_set_named_property(env, exports, "offloadForTest", o));
  return exports;
}
