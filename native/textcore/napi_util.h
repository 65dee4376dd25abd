// Small N-API helpers shared by textcore.c and lookup.c.
#ifndef TEXTCORE_NAPI_UTIL_H
#define TEXTCORE_NAPI_UTIL_H
#include <node_api.h>

// v as a typed array of type `want`: its data and length (elements); 0 when it is something else.
static inline int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  return napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) == napi_ok && type == want;
}

static inline napi_value number(napi_env env, double x) {
  napi_value r;
  napi_create_double(env, x, &r);
  return r;
}

#endif
