// The opinion pipeline's per-character core in C: the fast segmenter (src/text/segment.ts,
// segmentSpans) and the classifier's token and character-bigram features (src/text/pipeline.ts,
// analyse). The TypeScript code is the reference and the fallback: this file is a line-for-line
// translation over the same tables — the segmenter's dictionary and per-character table are the
// TypeScript module's typed arrays, registered once per thread (init) and read here in place — and
// src/text/textcore.test.ts checks that both give the same spans and features, post for post. Where a
// text needs what only JavaScript has (a Unicode property test on a character outside the Basic
// Multilingual Plane), the call returns -1 and the caller runs the TypeScript path.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>

#define SLOTS (1u << 20)
#define EDGE_BITS 23
#define WINDOW 256
#define MAX_WORD 32
#define CH_JIEBA 3
#define CH_FEATURE 4
#define FEATURE_MASK 0xffffu
#define SEED_TOKEN 0x811c9dc5u
#define SEED_BIGRAM 0x3c6ef372u

typedef struct {
  napi_ref refs[5];
  const int32_t *chr;       // CHAR: 2 × 65536 (class bits and root edge; root edge's info)
  const int32_t *table;     // the edge table: 2 × SLOTS
  const int32_t *edge_bits; // 2^EDGE_BITS bits
  const uint8_t *wordish;   // 65536 bits: the code unit alone is \p{L} or \p{N}
  const int32_t *punct;     // 65536: each punctuation code unit's feature index
  double min_logp;
  uint16_t *text;
  size_t text_cap;
  double *P;
  int32_t *X;
  size_t route_cap;
  int32_t lps[WINDOW * MAX_WORD];
  int32_t depth[WINDOW];
  int32_t walk_node[WINDOW];
  int32_t walk_list[WINDOW];
  uint32_t hash[WINDOW];
} core_t;

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  core_t *c = data;
  for (int i = 0; i < 5; i++)
    if (c->refs[i]) napi_delete_reference(env, c->refs[i]);
  free(c->text);
  free(c->P);
  free(c->X);
  free(c);
}

static uint32_t slot_hash(int32_t node, int32_t ch) {
  uint32_t h = ((uint32_t)node * 0x9e3779b1u) ^ ((uint32_t)(ch + 0x7f4a7c15) * 0x85ebca6bu);
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  return h ^ (h >> 12);
}

static uint32_t fmix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

static int32_t find_edge(const int32_t *table, uint32_t h, int32_t key, int32_t high) {
  for (uint32_t s = h & (SLOTS - 1);; s = (s + 1) & (SLOTS - 1)) {
    int32_t k = table[2 * s];
    if (k == key && (table[2 * s + 1] & 31) == high) return (int32_t)s;
    if (k == 0) return -1;
  }
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) != napi_ok || type != want) return 0;
  return 1;
}

// segment(): spans of the words of text[0, n) into st/en (capacity cap); the count, or -1 (fallback).
static int32_t segment(core_t *c, const uint16_t *text, int32_t n, int32_t *st, int32_t *en, size_t cap) {
  const int32_t *chr = c->chr, *table = c->table, *edge_bits = c->edge_bits;
  if ((size_t)n > cap) return -1;
  if ((size_t)n + 1 > c->route_cap) {
    size_t want = (size_t)n + 1 > 2 * c->route_cap ? (size_t)n + 1 : 2 * c->route_cap;
    double *P = realloc(c->P, want * sizeof(double));
    if (!P) return -1;
    c->P = P;
    int32_t *X = realloc(c->X, want * sizeof(int32_t));
    if (!X) return -1;
    c->X = X;
    c->route_cap = want;
  }
  double *P = c->P;
  int32_t *X = c->X;
  int32_t *lps = c->lps, *depth = c->depth, *walk_node = c->walk_node, *walk_list = c->walk_list;
  int32_t w = 0;
  int32_t i = 0;
  while (i < n) {
    int32_t ch = text[i];
    if ((chr[2 * ch] & CH_JIEBA) == 0) {
      if (ch >= 0x80 && !(ch >= 0x2000 && ch <= 0x206f) && !(ch >= 0x3000 && ch <= 0x303f) && !(ch >= 0xff00 && ch <= 0xff65)) {
        if (ch >= 0xd800 && ch <= 0xdbff && i + 1 < n) return -1; // a pair: JavaScript's regular expression decides
        if (c->wordish[ch >> 3] & (1 << (ch & 7))) {
          st[w] = i;
          en[w++] = i + 1;
        }
      }
      i++;
      continue;
    }
    int32_t s = i;
    while (i < n && (chr[2 * text[i]] & CH_JIEBA) != 0) i++;
    int32_t e = i;
    P[e] = 0;
    for (int32_t b = e; b > s; b -= WINDOW) {
      int32_t a = b - WINDOW > s ? b - WINDOW : s;
      int32_t m = b - a;
      int32_t alive = 0;
      for (int32_t j = 0; j < m; j++) {
        int32_t c0 = text[a + j];
        int32_t child = (chr[2 * c0] >> 8) - 1;
        if (child < 0) {
          depth[j] = 0;
          continue;
        }
        int32_t info = chr[2 * c0 + 1];
        lps[j] = info >> 1;
        depth[j] = 1;
        if ((info & 1) != 0 && a + j + 1 < e) {
          walk_node[j] = child;
          walk_list[alive++] = j;
        }
      }
      for (int32_t d = 1; alive > 0 && d < MAX_WORD; d++) {
        int32_t next = 0;
        // The level's probes first: their hashes, and the lines they will read brought in together
        // (the filter's word and the table's slot), so that the misses overlap.
        for (int32_t t = 0; t < alive; t++) {
          int32_t j = walk_list[t];
          uint32_t h = slot_hash(walk_node[j], text[a + j + d]);
          c->hash[t] = h;
          __builtin_prefetch(&edge_bits[(h >> (32 - EDGE_BITS)) >> 5]);
          __builtin_prefetch(&table[2 * (h & (SLOTS - 1))]);
        }
        for (int32_t t = 0; t < alive; t++) {
          int32_t j = walk_list[t];
          int32_t cc = text[a + j + d];
          int32_t node = walk_node[j];
          uint32_t h = c->hash[t];
          uint32_t bit = h >> (32 - EDGE_BITS);
          if ((edge_bits[bit >> 5] & (int32_t)(1u << (bit & 31))) == 0) continue;
          int32_t key = (int32_t)((uint32_t)cc | ((uint32_t)(node + 1) << 16));
          int32_t high = (int32_t)((uint32_t)(node + 1) >> 16);
          int32_t child = find_edge(table, h, key, high);
          if (child < 0) continue;
          int32_t info = table[2 * child + 1] >> 5;
          lps[d * WINDOW + j] = info >> 1;
          depth[j] = d + 1;
          if ((info & 1) != 0 && a + j + d + 1 < e) {
            walk_node[j] = child;
            walk_list[next++] = j;
          }
        }
        alive = next;
      }
      for (int32_t k = b - 1; k >= a; k--) {
        int32_t j = k - a;
        double best = -1.0 / 0.0;
        int32_t best_x = k;
        int32_t dd = depth[j];
        for (int32_t d = 0; d < dd; d++) {
          int32_t lp = lps[d * WINDOW + j];
          if (lp != 0) {
            double v = lp + P[k + d + 1];
            if (v >= best) {
              best = v;
              best_x = k + d;
            }
          }
        }
        if (best == -1.0 / 0.0) best = c->min_logp + P[k + 1];
        P[k] = best;
        X[k] = best_x;
      }
    }
    int32_t x = s;
    int32_t eng = -1;
    while (x < e) {
      int32_t y = X[x] + 1;
      int32_t cls = chr[2 * text[x]] & CH_JIEBA;
      if (y - x == 1 && cls == 2) {
        if (eng < 0) eng = x;
      } else {
        if (eng >= 0) {
          st[w] = eng;
          en[w++] = x;
          eng = -1;
        }
        if (y - x > 1 || cls != 3) {
          st[w] = x;
          en[w++] = y;
        }
      }
      x = y;
    }
    if (eng >= 0) {
      st[w] = eng;
      en[w++] = e;
    }
  }
  return w;
}

static core_t *core_of(napi_env env) {
  core_t *c = NULL;
  if (napi_get_instance_data(env, (void **)&c) != napi_ok) return NULL;
  return c;
}

static int read_text(napi_env env, core_t *c, napi_value v, int32_t *n) {
  size_t len = 0;
  if (napi_get_value_string_utf16(env, v, NULL, 0, &len) != napi_ok) return 0;
  if (len + 1 > c->text_cap) {
    size_t want = len + 1 > 2 * c->text_cap ? len + 1 : 2 * c->text_cap;
    uint16_t *t = realloc(c->text, want * sizeof(uint16_t));
    if (!t) return 0;
    c->text = t;
    c->text_cap = want;
  }
  if (napi_get_value_string_utf16(env, v, (char16_t *)c->text, c->text_cap, &len) != napi_ok) return 0;
  *n = (int32_t)len;
  return 1;
}

static napi_value number(napi_env env, double x) {
  napi_value r;
  napi_create_double(env, x, &r);
  return r;
}

// init(char: Int32Array, table: Int32Array, edgeBits: Int32Array, wordish: Uint8Array, punct: Int32Array, minLogp: number)
static napi_value init_core(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    napi_throw_type_error(env, NULL, "init: six arguments are required");
    return NULL;
  }
  core_t *c = calloc(1, sizeof(core_t));
  if (!c) return NULL;
  void *p[5];
  size_t len[5];
  napi_typedarray_type types[5] = {napi_int32_array, napi_int32_array, napi_int32_array, napi_uint8_array, napi_int32_array};
  size_t need[5] = {2 * 65536, 2 * SLOTS, 1u << (EDGE_BITS - 5), 65536 / 8, 65536};
  for (int i = 0; i < 5; i++) {
    if (!typed(env, argv[i], types[i], &p[i], &len[i]) || len[i] < need[i]) {
      free(c);
      napi_throw_type_error(env, NULL, "init: a table of the wrong type or size");
      return NULL;
    }
    napi_create_reference(env, argv[i], 1, &c->refs[i]);
  }
  c->chr = p[0];
  c->table = p[1];
  c->edge_bits = p[2];
  c->wordish = p[3];
  c->punct = p[4];
  napi_get_value_double(env, argv[5], &c->min_logp);
  core_t *old = core_of(env);
  napi_set_instance_data(env, c, finalize, NULL);
  (void)old; // the previous one's finalizer runs when it is replaced
  return number(env, 1);
}

// segment(text: string, start: Int32Array, end: Int32Array) -> number of spans, or -1 (use TypeScript)
static napi_value segment_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  core_t *c = core_of(env);
  int32_t n;
  void *st, *en;
  size_t cs, ce;
  if (!c || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || !read_text(env, c, argv[0], &n) ||
      !typed(env, argv[1], napi_int32_array, &st, &cs) || !typed(env, argv[2], napi_int32_array, &en, &ce))
    return number(env, -1);
  return number(env, segment(c, c->text, n, st, en, cs < ce ? cs : ce));
}

// features(text, start, end, feat: Int32Array) -> number of features written (the spans' count in
// start[...] is not returned: the caller does not need it), or -1 (use TypeScript). The token features
// of the words, then the character-bigram and punctuation features, as pipeline.ts analyse writes them.
static napi_value features_js(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  core_t *c = core_of(env);
  int32_t n;
  void *st, *en, *fv;
  size_t cs, ce, cf;
  if (!c || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || !read_text(env, c, argv[0], &n) ||
      !typed(env, argv[1], napi_int32_array, &st, &cs) || !typed(env, argv[2], napi_int32_array, &en, &ce) ||
      !typed(env, argv[3], napi_int32_array, &fv, &cf))
    return number(env, -1);
  const uint16_t *text = c->text;
  int32_t *start = st, *end = en, *f = fv;
  int32_t w = segment(c, text, n, start, end, cs < ce ? cs : ce);
  if (w < 0 || (size_t)(2 * (size_t)n + 64) > cf) return number(env, -1);
  int32_t k = 0;
  for (int32_t t = 0; t < w; t++) {
    uint32_t h = SEED_TOKEN;
    for (int32_t i = start[t]; i < end[t]; i++) h = (h ^ text[i]) * 0x01000193u;
    f[k++] = (int32_t)(fmix(h) & FEATURE_MASK);
  }
  const int32_t *chr = c->chr;
  int32_t prev = -1;
  for (int32_t i = 0; i < n; i++) {
    int32_t ch = text[i];
    if ((chr[2 * ch] & CH_FEATURE) != 0) {
      if (prev >= 0) f[k++] = (int32_t)(fmix(((uint32_t)prev * 0x10001u) ^ (uint32_t)ch ^ SEED_BIGRAM) & FEATURE_MASK);
      prev = ch;
    } else {
      prev = -1;
      if (ch != 0x20) f[k++] = c->punct[ch];
    }
  }
  return number(env, k);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", NULL, init_core, NULL, NULL, NULL, napi_default, NULL},
      {"segment", NULL, segment_js, NULL, NULL, NULL, napi_default, NULL},
      {"features", NULL, features_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
