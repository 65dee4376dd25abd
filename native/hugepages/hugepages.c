// Asks the kernel to back a large ArrayBuffer with 2 MiB pages (Linux transparent huge pages,
// madvise(MADV_HUGEPAGE)): the opinion module's candidate index (hundreds of MiB at a million posts)
// is read at random, and with 4 KiB pages nearly every access is also a TLB miss, which in a virtual
// machine costs a two-level page walk. The JVM does the same for its heap (-XX:+UseTransparentHugePages).
// Only the 2 MiB-aligned interior of the buffer is advised; pages already touched are left to
// khugepaged, so call it on a fresh buffer, before it is written. Elsewhere (not Linux, or no THP)
// advise() returns 0 and nothing changes.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <node_api.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)

// advise(buffer: ArrayBuffer) -> number: bytes advised (0: none, or not supported), or -errno.
static napi_value advise(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  double advised = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "advise(buffer): an ArrayBuffer is required");
    return NULL;
  }
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "advise(buffer): an ArrayBuffer is required");
    return NULL;
  }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  uintptr_t start = ((uintptr_t)data + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t end = ((uintptr_t)data + length) & ~(HUGE_PAGE - 1);
  if (data != NULL && end > start) {
    if (madvise((void *)start, end - start, MADV_HUGEPAGE) == 0) advised = (double)(end - start);
    else advised = -(double)errno;
  }
#else
  (void)data;
  (void)length;
#endif
  napi_create_double(env, advised, &result);
  return result;
}

// where(buffer: ArrayBuffer) -> number: the buffer's address (tests find its mapping in /proc/self/smaps).
static napi_value where(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  void *data = NULL;
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "where(buffer): an ArrayBuffer is required");
    return NULL;
  }
  napi_create_double(env, (double)(uintptr_t)data, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"advise", NULL, advise, NULL, NULL, NULL, napi_default, NULL},
      {"where", NULL, where, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
