// The opinion pipeline's per-character core in C: the fast segmenter (src/text/segment.ts,
// segmentSpans), the classifier's token and character-bigram features (src/text/pipeline.ts, analyse)
// and the dedup signature with the shingle set and its histogram (src/text/simhash.ts signature,
// signedShingleSet; opinion.candidates.ts histogramOf). The TypeScript code is the reference and the
// fallback: this file is a line-for-line translation over the same tables — the TypeScript modules'
// typed arrays, registered once per thread (init) and read here in place — and
// src/text/textcore.test.ts checks that both give the same results, post for post. Where a text
// needs what only JavaScript has (a Unicode property test on a character outside the Basic
// Multilingual Plane), the call returns -1 and the caller runs the TypeScript path. The candidate
// index's lookup is in lookup.c.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <node_api.h>
#include "napi_util.h"

#define SLOTS (1u << 20)
#define EDGE_BITS 23
#define WINDOW 256
#define MAX_WORD 32
#define CH_JIEBA 3
#define CH_FEATURE 4
#define FEATURE_MASK 0xffffu
#define SEED_TOKEN 0x811c9dc5u
#define SEED_BIGRAM 0x3c6ef372u
// The signature's (simhash.ts): dedup-form classes in CHAR, repost-phrase marks, MinHash bins.
#define CH_DEDUP_SHIFT 3
#define KEPT (1 << CH_DEDUP_SHIFT)
#define NUMERAL (2 << CH_DEDUP_SHIFT)
#define DEDUP_CLASS (3 << CH_DEDUP_SHIFT)
#define CH_BOILER_FIRST 32
#define CH_BOILER_SECOND 64
#define DRAWS 32
#define MAX_BINS 128
#define EMPTY 0xffffffffu

#define TABLES 9

typedef struct {
  napi_ref refs[TABLES]; // the tables below, held while they are registered
  const int32_t *chr;       // CHAR: 2 × 65536 (class bits and root edge; root edge's info)
  const int32_t *table;     // the edge table: 2 × SLOTS
  const int32_t *edge_bits; // 2^EDGE_BITS bits
  const uint8_t *wordish;   // 65536 bits: the code unit alone is \p{L} or \p{N}
  const int32_t *punct;     // 65536: each punctuation code unit's feature index
  double min_logp;
  // Scratch, grown as needed (reserve): the text, the route's probabilities and ends.
  uint16_t *text;
  size_t text_cap;
  double *P;
  size_t P_cap;
  int32_t *X;
  size_t X_cap;
  int32_t lps[WINDOW * MAX_WORD];
  int32_t depth[WINDOW];
  int32_t walk_node[WINDOW];
  int32_t walk_list[WINDOW];
  uint32_t hash[WINDOW];
  // The signature's tables, and its scratch: the dedup form, the shingles, the sort's buffer.
  const int8_t *digit;     // 65536: a Chinese numeral's digit, or -1
  const int32_t *unit;     // 65536: 十百千万亿's value, or 0
  const uint16_t *boiler;  // repost phrases, longest first: [length, code units…]…, 0
  const uint8_t *donors;   // bins × DRAWS: the bin an empty bin tries on each attempt
  int32_t bands, rows;
  uint16_t *cbuf;
  size_t cbuf_cap;
  uint32_t *sh;
  size_t sh_cap;
  int32_t *tmp;
  size_t tmp_cap;
} core_t;

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  core_t *c = data;
  for (int i = 0; i < TABLES; i++)
    if (c->refs[i]) napi_delete_reference(env, c->refs[i]);
  free(c->cbuf);
  free(c->sh);
  free(c->tmp);
  free(c->text);
  free(c->P);
  free(c->X);
  free(c);
}

// Grows *buf (room for *cap elements of `size` bytes) to hold `need`, at least doubling; 0 when out of memory.
static int reserve(void *buf, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t want = need > 2 * *cap ? need : 2 * *cap;
  void *b = realloc(*(void **)buf, want * size);
  if (!b) return 0;
  *(void **)buf = b;
  *cap = want;
  return 1;
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

// segment(): spans of the words of text[0, n) into st/en (capacity cap); the count, or -1 (fallback).
static int32_t segment(core_t *c, const uint16_t *text, int32_t n, int32_t *st, int32_t *en, size_t cap) {
  const int32_t *chr = c->chr, *table = c->table, *edge_bits = c->edge_bits;
  if ((size_t)n > cap) return -1;
  if (!reserve(&c->P, &c->P_cap, (size_t)n + 1, sizeof(double)) || !reserve(&c->X, &c->X_cap, (size_t)n + 1, sizeof(int32_t))) return -1;
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
  if (napi_get_value_string_utf16(env, v, NULL, 0, &len) != napi_ok || !reserve(&c->text, &c->text_cap, len + 1, sizeof(uint16_t))) return 0;
  if (napi_get_value_string_utf16(env, v, (char16_t *)c->text, c->text_cap, &len) != napi_ok) return 0;
  *n = (int32_t)len;
  return 1;
}

// init(char: Int32Array, table: Int32Array, edgeBits: Int32Array, wordish: Uint8Array, punct: Int32Array,
//      digit: Int8Array, unit: Int32Array, boiler: Uint16Array, donors: Uint8Array, minLogp, bands, rows):
// this thread's tables (segment.ts segmenterTables, pipeline.ts punctuation features, simhash.ts
// sketchTables), held until they are registered again. A table of the wrong type or size is a TypeError.
static napi_value init_core(napi_env env, napi_callback_info info) {
  size_t argc = TABLES + 3;
  napi_value argv[TABLES + 3];
  void *p[TABLES];
  size_t len[TABLES];
  const napi_typedarray_type types[TABLES] = {napi_int32_array, napi_int32_array, napi_int32_array, napi_uint8_array, napi_int32_array,
                                              napi_int8_array,  napi_int32_array, napi_uint16_array, napi_uint8_array};
  double min_logp = 0;
  int32_t bands = 0, rows = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < TABLES + 3 || napi_get_value_double(env, argv[TABLES], &min_logp) != napi_ok ||
      napi_get_value_int32(env, argv[TABLES + 1], &bands) != napi_ok || napi_get_value_int32(env, argv[TABLES + 2], &rows) != napi_ok) {
    napi_throw_type_error(env, NULL, "init: nine tables, then minLogp, bands and rows");
    return NULL;
  }
  for (int i = 0; i < TABLES; i++) {
    if (!typed(env, argv[i], types[i], &p[i], &len[i])) {
      napi_throw_type_error(env, NULL, "init: a table of the wrong type");
      return NULL;
    }
  }
  const size_t need[TABLES] = {2 * 65536, 2 * SLOTS, 1u << (EDGE_BITS - 5), 65536 / 8, 65536, 65536, 65536, 1, (size_t)(bands > 0 && rows > 0 ? bands * rows * DRAWS : 0)};
  int bad = bands < 1 || bands > 32 || rows < 1 || bands * rows > MAX_BINS;
  for (int i = 0; i < TABLES; i++) bad |= len[i] < need[i];
  if (!bad) bad = ((const uint16_t *)p[7])[len[7] - 1] != 0; // the phrases end with a 0
  if (bad) {
    napi_throw_type_error(env, NULL, "init: a table of the wrong size");
    return NULL;
  }
  core_t *c = core_of(env);
  if (!c) {
    if (!(c = calloc(1, sizeof(core_t)))) return NULL;
    napi_set_instance_data(env, c, finalize, NULL);
  }
  for (int i = 0; i < TABLES; i++) {
    if (c->refs[i]) napi_delete_reference(env, c->refs[i]);
    napi_create_reference(env, argv[i], 1, &c->refs[i]);
  }
  c->chr = p[0];
  c->table = p[1];
  c->edge_bits = p[2];
  c->wordish = p[3];
  c->punct = p[4];
  c->digit = p[5];
  c->unit = p[6];
  c->boiler = p[7];
  c->donors = p[8];
  c->min_logp = min_logp;
  c->bands = bands;
  c->rows = rows;
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

// The word features of text[0, n) (c->text): the segmentation's spans into start/end, then the token
// features of the words and the bigram and punctuation features, into f. How many, or -1.
static int32_t features_core(core_t *c, int32_t n, int32_t *start, int32_t *end, size_t spans_cap, int32_t *f, size_t cf) {
  const uint16_t *text = c->text;
  int32_t w = segment(c, text, n, start, end, spans_cap);
  if (w < 0 || (size_t)(2 * (size_t)n + 64) > cf) return -1;
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
  return k;
}

// ---- the dedup signature (src/text/simhash.ts signature, signedShingleSet; opinion.candidates.ts histogramOf)

// writeDigits: as JavaScript does it, in doubles (a run of 亿 can pass 2^53; NaN writes a 0 code unit, as a Uint16Array stores it).
static size_t write_digits(uint16_t *cbuf, size_t cap, double v, size_t o) {
  if (o == (size_t)-1 || o + 16 > cap) return (size_t)-1; // at most 15 digits
  if (v >= 1e15) v = fmod(v, 1e15);
  size_t start = o;
  do {
    double d = fmod(v, 10);
    cbuf[o++] = d == d ? (uint16_t)(0x30 + (int)d) : 0;
    v = floor(v / 10);
  } while (v > 0);
  for (size_t a = start, b = o - 1; a < b; a++, b--) {
    uint16_t t = cbuf[a];
    cbuf[a] = cbuf[b];
    cbuf[b] = t;
  }
  return o;
}

static size_t write_numeral(core_t *c, const uint16_t *s, int32_t i, int32_t j, size_t o) {
  uint16_t *cbuf = c->cbuf;
  int has_unit = 0;
  for (int32_t k = i; k < j; k++)
    if (c->unit[s[k]]) has_unit = 1;
  if (!has_unit) {
    if (o + (size_t)(j - i) > c->cbuf_cap) return (size_t)-1;
    for (int32_t k = i; k < j; k++) cbuf[o++] = (uint16_t)(0x30 + c->digit[s[k]]);
    return o;
  }
  double total = 0, section = 0;
  int32_t d = -1;
  for (int32_t k = i; k <= j; k++) {
    int32_t ch = k < j ? s[k] : 0;
    int32_t u = k < j ? c->unit[ch] : 0;
    if (k == j || (!u && c->digit[ch] > 0 && d >= 0)) {
      o = write_digits(cbuf, c->cbuf_cap, total + section + (d > 0 ? d : 0), o);
      if (o == (size_t)-1) return o;
      total = section = 0;
      d = -1;
      if (k == j) break;
    }
    if (!u) {
      if (c->digit[ch] != 0) d = c->digit[ch];
    } else if (u >= 10000) {
      total = (total + section + (d > 0 ? d : 0)) * u;
      section = 0;
      d = -1;
    } else {
      section += (double)(d < 0 ? 1 : d) * u;
      d = -1;
    }
  }
  return o;
}

// dedupInto: the dedup form of text[0, n) into cbuf (grown); its length, or -1 (out of memory).
static int32_t dedup_into(core_t *c, const uint16_t *t, int32_t n) {
  // Numerals can write more digits than they have characters (千 → 1000, 亿一一 → 100000001): at most
  // four per character, as simhash.ts sizes its buffer; write_numeral is also given the room left.
  if (!reserve(&c->cbuf, &c->cbuf_cap, (size_t)n * 8 + 32, sizeof(uint16_t))) return -1;
  const int32_t *chr = c->chr;
  uint16_t *cbuf = c->cbuf;
  size_t o = 0;
  for (int32_t i = 0; i < n; i++) {
    int32_t ch = t[i];
    int32_t e = chr[2 * ch];
    if ((e & CH_BOILER_FIRST) != 0 && i + 1 < n && (chr[2 * t[i + 1]] & CH_BOILER_SECOND) != 0) {
      int32_t skip = 0;
      for (const uint16_t *p = c->boiler; *p; p += 1 + *p) {
        int32_t len = *p;
        if (p[1] != ch || i + len > n) continue;
        if (memcmp(p + 1, t + i, (size_t)len * 2) == 0) {
          skip = len;
          break;
        }
      }
      if (skip > 0) {
        i += skip - 1;
        continue;
      }
    }
    int32_t k = e & DEDUP_CLASS;
    if (k == KEPT) {
      if (o >= c->cbuf_cap) return -1;
      cbuf[o++] = (uint16_t)ch;
    }
    else if (k == NUMERAL) {
      int32_t j = i + 1;
      while (j < n && (chr[2 * t[j]] & DEDUP_CLASS) == NUMERAL) j++;
      o = write_numeral(c, t, i, j, o);
      if (o == (size_t)-1) return -1; // never with the room above: but never past the buffer
      i = j - 1;
    }
  }
  return (int32_t)o;
}

static uint32_t fnv_step(uint32_t h, uint32_t ch) { return (h ^ ch) * 0x01000193u; }

static uint32_t key_finish(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h ^ (h >> 16);
}

static uint32_t fnv_hex32(uint32_t h, uint32_t v) {
  static const char hex[] = "0123456789abcdef";
  for (int shift = 28; shift >= 0; shift -= 4) h = fnv_step(h, (uint32_t)hex[(v >> shift) & 15]);
  return h;
}

static void sort_i32(int32_t *a, int32_t *tmp, int32_t n) {
  if (n < 2) return;
  if (n <= 4096) {
    // One counting pass on the top byte leaves hash values about one per bucket; then by insertion.
    int32_t cnt[257];
    memset(cnt, 0, sizeof cnt);
    for (int32_t i = 0; i < n; i++) cnt[(((uint32_t)a[i]) >> 24 ^ 0x80) + 1]++;
    for (int b = 1; b <= 256; b++) cnt[b] += cnt[b - 1];
    for (int32_t i = 0; i < n; i++) tmp[cnt[((uint32_t)a[i]) >> 24 ^ 0x80]++] = a[i];
    for (int32_t i = 0; i < n; i++) {
      int32_t x = tmp[i], j = i - 1;
      while (j >= 0 && a[j] > x) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
    return;
  }
  // Four 8-bit counting passes on the value with its sign bit flipped (signed order).
  int32_t cnt[4][256];
  memset(cnt, 0, sizeof cnt);
  for (int32_t i = 0; i < n; i++) {
    uint32_t x = (uint32_t)a[i] ^ 0x80000000u;
    cnt[0][x & 255]++;
    cnt[1][(x >> 8) & 255]++;
    cnt[2][(x >> 16) & 255]++;
    cnt[3][x >> 24]++;
  }
  for (int d = 0; d < 4; d++) {
    int32_t sum = 0;
    for (int b = 0; b < 256; b++) {
      int32_t k = cnt[d][b];
      cnt[d][b] = sum;
      sum += k;
    }
  }
  int32_t *from = a, *to = tmp;
  for (int d = 0; d < 4; d++) {
    for (int32_t i = 0; i < n; i++) {
      uint32_t x = (uint32_t)from[i] ^ 0x80000000u;
      to[cnt[d][(x >> (8 * d)) & 255]++] = from[i];
    }
    int32_t *t = from;
    from = to;
    to = t;
  }
}

// The dedup signature of text[0, n) (c->text) into out (≥ 70): [simLo, simHi, textHash a, textHash b,
// keyHash("t:…"), 32 band key hashes, 32 band values, dedup length]; the sorted unique shingle set into
// set (capacity cs) and its histogram into hist (128 bytes). The set's size, or -1.
static int32_t sketch_core(core_t *c, int32_t n, uint32_t *out, int32_t *set, size_t cs, uint8_t *hist) {
  int32_t len = dedup_into(c, c->text, n);
  if (len < 0) return -1;
  int32_t count = len == 1 ? 1 : (len > 1 ? len - 1 : 0);
  if ((size_t)count > cs) return -1;
  if (!reserve(&c->sh, &c->sh_cap, (size_t)count + 1, sizeof(uint32_t)) || !reserve(&c->tmp, &c->tmp_cap, (size_t)count + 1, sizeof(int32_t))) return -1;
  const uint16_t *cbuf = c->cbuf;
  uint32_t *sh = c->sh;
  if (len == 1) sh[0] = fmix((uint32_t)cbuf[0] ^ 0x3c6ef372u);
  for (int32_t i = 0; i + 1 < len; i++) sh[i] = fmix((((uint32_t)cbuf[i] << 16) | cbuf[i + 1]) ^ 0x3c6ef372u);
  // SimHash: bit b is set where more than half of the shingles have it (the high half over a second mix).
  uint32_t sim_lo = 0, sim_hi = 0;
  int32_t nb = c->bands * c->rows;
  uint32_t mins[MAX_BINS];
  uint8_t tag[MAX_BINS];
  for (int32_t b = 0; b < nb; b++) mins[b] = EMPTY, tag[b] = 0;
  if (count > 0) {
    // Bit counts in byte lanes: acc[r] counts bit 8q + r of (y << 32 | x) in its byte q, flushed
    // into cnt every 255 shingles (before a lane can overflow).
    int32_t cnt[64];
    uint64_t acc[8];
    memset(cnt, 0, sizeof cnt);
    memset(acc, 0, sizeof acc);
    for (int32_t i = 0, pending = 0; i < count; i++) {
      uint32_t x = sh[i], y = fmix(x ^ 0x5bd1e995u);
      uint64_t xy = (uint64_t)x | ((uint64_t)y << 32);
      for (int r = 0; r < 8; r++) acc[r] += (xy >> r) & 0x0101010101010101ull;
      if (++pending == 255 || i == count - 1) {
        for (int r = 0; r < 8; r++) {
          for (int q = 0; q < 8; q++) cnt[8 * q + r] += (int32_t)((acc[r] >> (8 * q)) & 255);
          acc[r] = 0;
        }
        pending = 0;
      }
      uint32_t bin = ((x >> 16) * (uint32_t)nb) >> 16;
      uint32_t v = fmix(x ^ 0x68e31da4u);
      if (v < mins[bin]) mins[bin] = v;
    }
    for (int b = 0; b < 32; b++) {
      if (2 * cnt[b] > count) sim_lo |= 1u << b;
      if (2 * cnt[32 + b] > count) sim_hi |= 1u << b;
    }
  }
  // The text hash (hash64), and its key's hash.
  uint32_t ha = 0x811c9dc5u, hb = 0x01234567u;
  for (int32_t i = 0; i < len; i++) {
    ha = (ha ^ cbuf[i]) * 0x01000193u;
    hb = (hb ^ cbuf[i]) * 0x5bd1e995u;
    hb ^= hb >> 15;
  }
  uint32_t th_a = fmix(ha ^ (uint32_t)len), th_b = fmix(hb + ha);
  out[0] = sim_lo;
  out[1] = sim_hi;
  out[2] = th_a;
  out[3] = th_b;
  out[4] = key_finish(fnv_hex32(fnv_hex32(fnv_step(fnv_step(0x811c9dc5u, 't'), ':'), th_a), th_b));
  out[69] = (uint32_t)len;
  if (len > 0) {
    // Empty bins borrow from others (minhashBands), then each band's rows are mixed.
    for (int32_t b = 0; b < nb; b++) {
      if (mins[b] != EMPTY) continue;
      for (int32_t k = 1; k <= nb + DRAWS; k++) {
        int32_t d = k <= DRAWS ? c->donors[b * DRAWS + k - 1] : (b + k - DRAWS) % nb;
        if (mins[d] != EMPTY && tag[d] == 0) {
          mins[b] = mins[d];
          tag[b] = (uint8_t)(k < 255 ? k : 255);
          break;
        }
      }
    }
    for (int32_t b = 0; b < c->bands && b < 32; b++) {
      uint32_t h = 0x9747b28cu ^ (uint32_t)b;
      for (int32_t r = 0; r < c->rows; r++) {
        int32_t i = b * c->rows + r;
        h = fmix((h * 31u) ^ mins[i] ^ ((uint32_t)tag[i] * 0x27d4eb2fu));
      }
      out[37 + b] = h;
      // keyHash(`m${b}:${hex32(h)}`)
      uint32_t k = fnv_step(0x811c9dc5u, 'm');
      if (b >= 10) k = fnv_step(k, (uint32_t)('0' + b / 10));
      k = fnv_step(fnv_step(k, (uint32_t)('0' + b % 10)), ':');
      out[5 + b] = key_finish(fnv_hex32(k, h));
    }
  }
  // The set: sorted (as int32) and unique; its histogram (256 ranges of the top byte, 4-bit counts).
  for (int32_t i = 0; i < count; i++) set[i] = (int32_t)sh[i];
  sort_i32(set, (int32_t *)c->tmp, count);
  int32_t w = 0;
  for (int32_t i = 0; i < count; i++)
    if (i == 0 || set[i] != set[w - 1]) set[w++] = set[i];
  uint8_t counts[256];
  memset(counts, 0, sizeof counts);
  for (int32_t i = 0; i < w; i++) {
    uint32_t r = (uint32_t)set[i] >> 24;
    if (counts[r] < 15) counts[r]++;
  }
  for (int b = 0; b < 128; b++) hist[b] = (uint8_t)(counts[2 * b] | (counts[2 * b + 1] << 4));
  return w;
}

// analyse(text, start, end, feat, out: Uint32Array ≥ 71, set, hist): features() and sketch() of one
// text in one call (the text read once): the features' count, or -1 (use TypeScript for both); the
// set's size in out[70], -1 where the sketch must be made in TypeScript.
static napi_value analyse_js(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  core_t *c = core_of(env);
  int32_t n;
  void *st, *en, *fv, *ov, *sv, *hv;
  size_t cs, ce, cf, co, cset, ch;
  if (!c || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7 || !read_text(env, c, argv[0], &n) ||
      !typed(env, argv[1], napi_int32_array, &st, &cs) || !typed(env, argv[2], napi_int32_array, &en, &ce) ||
      !typed(env, argv[3], napi_int32_array, &fv, &cf) || !typed(env, argv[4], napi_uint32_array, &ov, &co) ||
      !typed(env, argv[5], napi_int32_array, &sv, &cset) || !typed(env, argv[6], napi_uint8_array, &hv, &ch) || co < 71 || ch < 128)
    return number(env, -1);
  int32_t k = features_core(c, n, st, en, cs < ce ? cs : ce, fv, cf);
  if (k < 0) return number(env, -1);
  int32_t w = sketch_core(c, n, ov, sv, cset, hv);
  ((int32_t *)ov)[70] = w;
  return number(env, k);
}

napi_value lookup_js(napi_env env, napi_callback_info info);
napi_value lookup_thresholds_js(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", NULL, init_core, NULL, NULL, NULL, napi_default, NULL},
      {"segment", NULL, segment_js, NULL, NULL, NULL, napi_default, NULL},
      {"analyse", NULL, analyse_js, NULL, NULL, NULL, napi_default, NULL},
      {"lookup", NULL, lookup_js, NULL, NULL, NULL, napi_default, NULL},
      {"lookupThresholds", NULL, lookup_thresholds_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
