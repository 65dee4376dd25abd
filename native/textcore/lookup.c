// The candidate index's lookup (src/server/modules/opinion/opinion.candidates.ts, lookupChecked) in C,
// over the index's own typed arrays, passed with each call: the keys' postings (the tail's blocks, then
// the compacted run by binary search), the shared-key counts, the best `limit` by (count, slot), each
// candidate's id and its histogram check. The TypeScript method is the reference and the fallback;
// opinion.candidates.test.ts checks that both answer the same on random indexes.
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <node_api.h>
#include "napi_util.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_PER_KEY 30
#define MAX_STEPS (MAX_PER_KEY * 8)
#define URL_WEIGHT 100
#define HIST 128
#define REC_WORDS (HIST / 4 + 2)
#define REC_ID (HIST / 4)
#define REC_SIZE (REC_ID + 1)
#define KIND_EXACT 1
#define KIND_URL 2
#define TALLY_BITS 11
#define TALLY (1 << TALLY_BITS)
#define MAX_LIMIT 256

// DEDUP's thresholds (simhash.ts), for minShared (opinion.ingest.ts).
static double jaccard = 0.4, containment = 0.6, size_ratio = 0.3;

static int32_t min_shared(int32_t al, int32_t bl) {
  int32_t small = al < bl ? al : bl, large = al < bl ? bl : al;
  double for_jaccard = (jaccard * (al + bl)) / (1 + jaccard);
  double m = large > 0 && (double)small / large >= size_ratio ? containment * small : for_jaccard;
  return (int32_t)floor(for_jaccard < m ? for_jaccard : m) - 1;
}

// intersectionBound of two histograms: per byte, the sum of its two 4-bit ranges' smaller counts (a
// pair of 15s — "15 or more" both — counts 255: no bound).
static int32_t bound_scalar(const uint8_t *a, const uint8_t *b) {
  int32_t sum = 0;
  for (int i = 0; i < HIST; i++) {
    int32_t al = a[i] & 15, ah = a[i] >> 4, bl = b[i] & 15, bh = b[i] >> 4;
    int32_t lo = al == 15 && bl == 15 ? 255 : (al < bl ? al : bl);
    int32_t hi = ah == 15 && bh == 15 ? 255 : (ah < bh ? ah : bh);
    sum += lo + hi > 255 ? 255 : lo + hi;
  }
  return sum;
}

// The same where the probe has no count of 15 (then no pair saturates): plain minima, 16 bytes at a time.
static int32_t bound_plain(const uint8_t *a, const uint8_t *b) {
#ifdef __SSE2__
  const __m128i nib = _mm_set1_epi8(15);
  __m128i acc = _mm_setzero_si128();
  for (int i = 0; i < HIST; i += 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(a + i)), y = _mm_loadu_si128((const __m128i *)(b + i));
    __m128i lo = _mm_min_epu8(_mm_and_si128(x, nib), _mm_and_si128(y, nib));
    __m128i hi = _mm_min_epu8(_mm_and_si128(_mm_srli_epi16(x, 4), nib), _mm_and_si128(_mm_srli_epi16(y, 4), nib));
    acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_add_epi8(lo, hi), _mm_setzero_si128()));
  }
  return (int32_t)(_mm_cvtsi128_si32(acc) + _mm_cvtsi128_si32(_mm_srli_si128(acc, 8)));
#else
  return bound_scalar(a, b);
#endif
}

typedef struct {
  int32_t slot[TALLY];
  int32_t count[TALLY]; // 0: free
  int32_t used[TALLY];
  int32_t n;
} tally_t;

static __thread tally_t tally; // one per thread (the index is the main thread's, but a worker may load the addon)

static int bump(int32_t slot, int32_t w) {
  if (tally.n * 2 >= TALLY) return 0;
  uint32_t s = ((uint32_t)slot * 0x9e3779b1u) >> (32 - TALLY_BITS);
  for (;; s = (s + 1) & (TALLY - 1)) {
    if (tally.count[s] == 0) {
      tally.slot[s] = slot;
      tally.count[s] = w;
      tally.used[tally.n++] = (int32_t)s;
      return 1;
    }
    if (tally.slot[s] == slot) {
      tally.count[s]++;
      return 1;
    }
  }
}

// lookup(hashes: Uint32Array, kinds: Uint8Array, dir: Int32Array, cPairs: Uint32Array, pool: Uint32Array,
//        recs: Uint32Array, mask: number, limit: number, hist: Uint8Array, setSize: number,
//        out: Int32Array) -> candidates n, or -1 (use TypeScript)
// out: [twin found (0/1), twin id (its 32 bits), then per candidate: slot, shared count, id (its 32 bits), possible (0/1)].
napi_value lookup_js(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  void *p[6], *hv, *ov;
  size_t len[6], hl, ol;
  napi_typedarray_type types[6] = {napi_uint32_array, napi_uint8_array, napi_int32_array, napi_uint32_array, napi_uint32_array, napi_uint32_array};
  int32_t mask, limit, set_size;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 11) return number(env, -1);
  for (int i = 0; i < 6; i++)
    if (!typed(env, argv[i], types[i], &p[i], &len[i])) return number(env, -1);
  if (napi_get_value_int32(env, argv[6], &mask) != napi_ok || napi_get_value_int32(env, argv[7], &limit) != napi_ok ||
      !typed(env, argv[8], napi_uint8_array, &hv, &hl) || napi_get_value_int32(env, argv[9], &set_size) != napi_ok ||
      !typed(env, argv[10], napi_int32_array, &ov, &ol))
    return number(env, -1);
  const uint32_t *hashes = p[0], *c_pairs = p[3], *pool = p[4], *recs = p[5];
  const uint8_t *kinds = p[1], *hist = hv;
  const int32_t *dir = p[2];
  int32_t *out = ov;
  size_t n = len[0];
  if (len[1] < n || hl < HIST || limit < 0 || limit > MAX_LIMIT || ol < 2 + 4 * (size_t)limit || mask < 0 ||
      len[2] < 2 * ((size_t)mask + 1) + 2 || n > 64)
    return number(env, -1);
  size_t n_recs = len[5] / REC_WORDS, n_pool = len[4], n_c = len[3];
  // Every key's bucket first, then the first line each will read (their misses overlap).
  int32_t from[64], to[64], head[64];
  for (size_t k = 0; k < n; k++) {
    size_t b = 2 * (size_t)(hashes[k] & (uint32_t)mask);
    from[k] = dir[b];
    head[k] = dir[b + 1];
    to[k] = dir[b + 2];
    if (from[k] < to[k]) __builtin_prefetch(&c_pairs[2 * (size_t)(((uint32_t)from[k] + (uint32_t)to[k]) >> 1)]);
    if (head[k] != 0) __builtin_prefetch(&pool[head[k]]);
  }
  for (int32_t k = 0; k < tally.n; k++) tally.count[tally.used[k]] = 0;
  tally.n = 0;
  int32_t twin = -1;
  int has_twin = 0;
  for (size_t k = 0; k < n; k++) {
    uint32_t h = hashes[k];
    int exact = kinds[k] == KIND_EXACT;
    int32_t want = exact ? 1 : MAX_PER_KEY, w = kinds[k] == KIND_URL ? URL_WEIGHT : 1, found = 0, steps = 0;
    for (uint32_t blk = (uint32_t)head[k]; blk != 0 && found < want && steps < MAX_STEPS; blk = pool[blk]) {
      if (blk + 2 > n_pool) return number(env, -1);
      uint32_t hd = pool[blk + 1];
      size_t end = blk + 2 + 2 * (size_t)(hd >> 16);
      if (end > n_pool) return number(env, -1);
      for (size_t j = end - 2 * (size_t)(hd & 0xffff); j < end && steps < MAX_STEPS; j += 2, steps++) {
        if (pool[j] != h) continue;
        uint32_t slot = pool[j + 1];
        if (slot >= n_recs) return number(env, -1);
        if (exact) twin = (int32_t)recs[(size_t)slot * REC_WORDS + REC_ID], has_twin = 1;
        else if (!bump((int32_t)slot, w)) return number(env, -1);
        if (++found == want) break;
      }
    }
    if (found == want) continue;
    uint32_t lo = (uint32_t)from[k], hi = (uint32_t)to[k], end = hi;
    if (2 * (size_t)end > n_c || lo > hi) return number(env, -1);
    while (lo < hi) {
      uint32_t mid = (lo + hi) >> 1;
      if (c_pairs[2 * (size_t)mid] < h) lo = mid + 1;
      else hi = mid;
    }
    for (uint32_t i = lo; i < end && c_pairs[2 * (size_t)i] == h; i++) {
      uint32_t slot = c_pairs[2 * (size_t)i + 1];
      if (slot >= n_recs) return number(env, -1);
      if (exact) twin = (int32_t)recs[(size_t)slot * REC_WORDS + REC_ID], has_twin = 1;
      else if (!bump((int32_t)slot, w)) return number(env, -1);
      if (++found == want) break;
    }
  }
  // The best `limit` by (count, slot), best first: selection by insertion into a sorted list (limit is small).
  int32_t best_slot[MAX_LIMIT], best_count[MAX_LIMIT], m = 0;
  for (int32_t t = 0; t < tally.n; t++) {
    int32_t s = tally.used[t], slot = tally.slot[s], c = tally.count[s];
    if (limit == 0 || (m == limit && (c < best_count[m - 1] || (c == best_count[m - 1] && slot < best_slot[m - 1])))) continue;
    int32_t i = m < limit ? m++ : m - 1;
    while (i > 0 && (best_count[i - 1] < c || (best_count[i - 1] == c && best_slot[i - 1] < slot))) {
      best_count[i] = best_count[i - 1];
      best_slot[i] = best_slot[i - 1];
      i--;
    }
    best_count[i] = c;
    best_slot[i] = slot;
  }
  // Their records, brought in together, then their checks.
  for (int32_t i = 0; i < m; i++) {
    const uint32_t *r = recs + (size_t)best_slot[i] * REC_WORDS;
    __builtin_prefetch(r);
    __builtin_prefetch(r + 16);
    __builtin_prefetch(r + 32);
  }
  int saturated = 0;
  for (int i = 0; i < HIST; i++)
    if ((hist[i] & 15) == 15 || (hist[i] >> 4) == 15) saturated = 1;
  out[0] = has_twin;
  out[1] = twin;
  for (int32_t i = 0; i < m; i++) {
    const uint32_t *r = recs + (size_t)best_slot[i] * REC_WORDS;
    int32_t possible = 1;
    if (best_count[i] < URL_WEIGHT) {
      const uint8_t *rb = (const uint8_t *)r;
      int32_t bound = saturated ? bound_scalar(rb, hist) : bound_plain(rb, hist);
      possible = bound >= min_shared(set_size, (int32_t)r[REC_SIZE]);
    }
    out[2 + 4 * i] = best_slot[i];
    out[3 + 4 * i] = best_count[i];
    out[4 + 4 * i] = (int32_t)r[REC_ID];
    out[5 + 4 * i] = possible;
  }
  return number(env, m);
}

// lookupThresholds(jaccard, containment, sizeRatio): DEDUP's, for minShared.
napi_value lookup_thresholds_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_get_value_double(env, argv[0], &jaccard) != napi_ok ||
      napi_get_value_double(env, argv[1], &containment) != napi_ok || napi_get_value_double(env, argv[2], &size_ratio) != napi_ok)
    return number(env, -1);
  return number(env, 1);
}
