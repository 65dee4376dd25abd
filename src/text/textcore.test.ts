import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from './corpus/index.ts';
import { syntheticPosts } from './corpus/synthetic.ts';
import { normalizePost } from './normalize.ts';
import { analyse, nativeText } from './pipeline.ts';
import { newSpans, segmentSpans } from './segment.ts';
import { textCoreAddon } from './textcore.ts';

/** The native core, or a loud skip where it is not built (CI builds it: there a missing one fails). */
function core(t: { skip: (why: string) => void }) {
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
    const raw = [...EDGES, ...all.map((e) => e.text), ...Array.from({ length: 2000 }, () => next())];
    for (const text of raw) {
      nativeText(false);
      const ts = analyse(text);
      nativeText(true);
      const c = analyse(text);
      assert.deepEqual([...c.features], [...ts.features], text.slice(0, 60));
      assert.deepEqual(c.tokens, ts.tokens);
      assert.equal(c.simhash, ts.simhash);
      assert.deepEqual(c.groups, ts.groups);
    }
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
  assert.equal(a.features(text, ok, ok.slice(), new Int32Array(5)), -1);
  assert.equal(a.segment(text, new Float64Array(64) as unknown as Int32Array, ok), -1);
  assert.equal(a.segment(42 as unknown as string, ok, ok.slice()), -1);
  // A sentinel just past a small feature array stays untouched.
  const buf = new Int32Array(2 * text.length + 64 + 1).fill(-7);
  const view = buf.subarray(0, 2 * text.length + 64);
  const k = a.features(text, ok, ok.slice(), view);
  assert.ok(k > 0 && k <= view.length);
  assert.equal(buf[buf.length - 1], -7);
});
