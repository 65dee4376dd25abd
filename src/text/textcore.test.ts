import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from './corpus/index.ts';
import { syntheticPosts } from './corpus/synthetic.ts';
import { normalizePost } from './normalize.ts';
import { analyse, nativeText } from './pipeline.ts';
import { analysePost } from '../server/modules/opinion/opinion.analysis.ts';
import { histogramOf } from '../server/modules/opinion/opinion.candidates.ts';
import { signedShingleSet } from './simhash.ts';
import { newSpans, segmentSpans } from './segment.ts';
import { textCoreAddon } from './textcore.ts';

/** The native core, or a loud skip where it is not built (CI builds it: there a missing one fails). */
function core(t: { skip: (why: string) => void }) {
  if (process.env.FRONTLINE_NATIVE === '0') {
    t.skip('FRONTLINE_NATIVE=0: the TypeScript path only');
    return null;
  }
  const a = textCoreAddon();
  if (!a) {
    if (process.env.CI) assert.fail('native/textcore did not build: run `npm run postinstall` and read its output');
    console.warn('!!! native/textcore is not built here (npm run postinstall): native text core tests skipped');
    t.skip('addon not built');
    return null;
  }
  assert.equal(nativeText(true), true, 'the pipeline takes the native core when it is built');
  return a;
}

/** Texts at the edges of the segmenter: Latin runs, numbers, long Han runs (beyond its window of 256), other scripts, symbols. */
const EDGES = [
  '',
  ' ',
  '!!!,,,。。。',
  'a',
  '5',
  'covid-19疫情 n95口罩 3m 9.9元 c++ c# 50% a_b',
  'abc123def 4s店 iphone14 pro max',
  '他说привет世界 مرحبا 안녕하세요 日本語のテキスト ñandú',
  '①②③ ⅫⅣ ½ ² 〇一二三',
  '疫'.repeat(300),
  '新冠肺炎疫情防控指挥部'.repeat(40),
  '口罩涨价'.repeat(70) + 'abc' + '哄抬物价'.repeat(70),
  '\u{20000}\u{20001}汉字', // characters beyond the BMP: the TypeScript path decides
  '\ud800孤立的代理项\udc00结尾\ud800',
  '全角ＡＢＣ１２３和半角abc123',
  // Routes of equal probability (ab + c = a + bc, to the fixed point): the longer first word wins, as in jieba.
  '一一一，上上上，迷上航，途上摊，伸下店，聚义颌，菲克雅，销场频',
  // 6,000 distinct Han characters: histogram ranges holding 15 shingles or more (saturated counts).
  Array.from({ length: 6000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join(''),
];

/** The dedup form's numerals and repost phrases (written as digits, dropped), including numbers beyond 2^53 and beyond a double. */
const NUMERALS = [
  '口罩二十五元一个，三四天就涨到一百零五元',
  '一九年 二〇二〇年 两万三千五百 十一 一百 千 万 亿 零',
  '二十五一个 三百万 四千亿 五万万 一亿亿 九亿亿亿亿',
  '一' + '亿'.repeat(40) + '个',
  '亿'.repeat(400),
  '【转发】转发保平安！紧急扩散：请扩散，求扩散，快转发，转给家人。真的假的？是真的吗？求证，同问',
  '转发微博 紧急通知 重要通知 大家注意 重要提醒 最新消息 速看 必看 转自 扩散周知 转',
  '转', '扩', '二', '十',
  // Numerals that write more digits than they have characters (千 → 1000; 亿一一 → 100000001), a whole post of them.
  '千',
  '千a'.repeat(300),
  '亿一一'.repeat(400),
  '万亿一一'.repeat(300),
  '百万亿一一'.repeat(250),
];

function texts(): string[] {
  const { all } = loadCorpus();
  const next = syntheticPosts(99);
  return [...EDGES, ...all.map((e) => normalizePost(e.text)), ...Array.from({ length: 3000 }, () => normalizePost(next()))];
}

test('native text core: the same word spans as the TypeScript segmenter, post for post', (t) => {
  const a = core(t);
  if (!a) return;
  const ts = newSpans();
  let st = new Int32Array(64);
  let en = new Int32Array(64);
  let fallbacks = 0;
  let checked = 0;
  for (const text of texts()) {
    if (st.length < text.length) {
      st = new Int32Array(text.length);
      en = new Int32Array(text.length);
    }
    const n = a.segment(text, st, en);
    const sp = segmentSpans(text, ts);
    if (n < 0) {
      fallbacks++;
      assert.ok(/[\ud800-\udbff]/.test(text), `only a text with a surrogate pair falls back: ${text.slice(0, 40)}`);
      continue;
    }
    checked++;
    assert.equal(n, sp.n, text.slice(0, 60));
    assert.deepEqual([...st.subarray(0, n)], [...sp.start.subarray(0, n)], text.slice(0, 60));
    assert.deepEqual([...en.subarray(0, n)], [...sp.end.subarray(0, n)], text.slice(0, 60));
  }
  assert.ok(checked > 3500, `checked ${checked}`);
  assert.ok(fallbacks >= 2, 'the texts with characters beyond the BMP took the TypeScript path');
});

test('native text core: analyse gives the same features either way (and the same everything else)', (t) => {
  if (!core(t)) return;
  try {
    const { all } = loadCorpus();
    const next = syntheticPosts(7);
    const raw = [...EDGES, ...NUMERALS, ...all.map((e) => e.text), ...Array.from({ length: 2000 }, () => next())];
    let sets = 0;
    for (const text of raw) {
      nativeText(false);
      const ts = analyse(text);
      nativeText(true);
      const c = analyse(text);
      const what = text.slice(0, 60);
      assert.deepEqual([...c.features], [...ts.features], what);
      assert.deepEqual(c.tokens, ts.tokens);
      assert.deepEqual(c.groups, ts.groups);
      // The signature: SimHash, text hash, every key and its hash.
      assert.equal(c.simhash, ts.simhash, what);
      assert.equal(c.textHash, ts.textHash, what);
      assert.deepEqual(c.bandKeys, ts.bandKeys, what);
      assert.deepEqual([...c.keyHashes], [...ts.keyHashes], what);
      // The shingle set and its histogram, as the TypeScript functions make them.
      if (c.shingles) {
        sets++;
        assert.equal(ts.shingles, undefined);
        const set = signedShingleSet(ts.normalized);
        assert.deepEqual([...c.shingles], [...set], what);
        assert.deepEqual([...c.shingleHistogram!], [...histogramOf(set)], what);
      }
      // What the ingest takes, either way.
      nativeText(false);
      const p1 = analysePost(text);
      nativeText(true);
      const p2 = analysePost(text);
      assert.deepEqual(p2, p1, what);
    }
    // Every text took the native path but those with a high surrogate before their end (the segmenter's fallback).
    const native = raw.filter((t) => !/[\ud800-\udbff][\s\S]/.test(normalizePost(t))).length;
    assert.equal(sets, native, `native sets ${sets} of ${raw.length}`);
  } finally {
    nativeText(true);
  }
});

test('native text core: arrays too small or of the wrong type are refused (-1), never written past', (t) => {
  const a = core(t);
  if (!a) return;
  const text = '口罩涨价了，大家注意';
  const small = new Int32Array(3);
  const ok = new Int32Array(64);
  assert.equal(a.segment(text, small, ok), -1);
  const out = new Uint32Array(71);
  const set = new Int32Array(64);
  const hist = new Uint8Array(128);
  assert.equal(a.analyse(text, ok, ok.slice(), new Int32Array(5), out, set, hist), -1, 'features too small');
  assert.equal(a.analyse(text, ok, ok.slice(), new Int32Array(128), new Uint32Array(70), set, hist), -1, 'out too small');
  assert.equal(a.analyse(text, ok, ok.slice(), new Int32Array(128), out, set, new Uint8Array(64)), -1, 'histogram too small');
  assert.ok(a.analyse(text, ok, ok.slice(), new Int32Array(128), out, new Int32Array(2), hist) > 0, 'features made');
  assert.equal(out[70]! | 0, -1, 'a set too small: no signature, made in TypeScript instead');
  assert.equal(a.segment(text, new Float64Array(64) as unknown as Int32Array, ok), -1);
  assert.equal(a.segment(42 as unknown as string, ok, ok.slice()), -1);
  // A sentinel just past a small feature array stays untouched.
  const buf = new Int32Array(2 * text.length + 64 + 1).fill(-7);
  const view = buf.subarray(0, 2 * text.length + 64);
  const k = a.analyse(text, ok, ok.slice(), view, out, set, hist);
  assert.ok(k > 0 && k <= view.length);
  assert.equal(buf[buf.length - 1], -7);
});

test('native text core: random texts of any code units give what TypeScript gives (and never crash)', (t) => {
  if (!core(t)) return;
  // Seeded: Han, numerals, repost phrases, Latin, punctuation, full-width, other scripts, and any code
  // unit at all (lone surrogates included) or a character beyond the BMP now and then.
  let seed = 20261129;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const pools = ['零〇一二两三四五六七八九十百千万亿', '转发保平安紧急扩散请求速看必看真的假的是真的吗同问', '疫情口罩涨价哄抬新冠肺炎超市封路', 'abcXYZ0123456789+#&._%-', '，。！？…!?.,;:()[]【】“”‘’ \n\t', '\u3000\uff01\uff21\uff41\u200b\ufe0f', 'привет مرحبا 안녕 ñ ①Ⅻ²½'];
  const piece = () => {
    const r = rnd();
    if (r < 0.05) return String.fromCharCode(Math.floor(rnd() * 65536));
    if (r < 0.08) return String.fromCodePoint(0x10000 + Math.floor(rnd() * 0x10000));
    if (r < 0.3) return String.fromCharCode(0x4e00 + Math.floor(rnd() * 20000));
    const p = pools[Math.floor(rnd() * pools.length)]!;
    return p[Math.floor(rnd() * p.length)]!;
  };
  try {
    for (let i = 0; i < 3000; i++) {
      let text = '';
      for (let k = Math.floor(rnd() ** 2 * 800); k > 0; k--) text += piece();
      nativeText(false);
      const ts = analysePost(text);
      nativeText(true);
      assert.deepEqual(analysePost(text), ts, JSON.stringify(text.slice(0, 60)));
    }
  } finally {
    nativeText(true);
  }
});
