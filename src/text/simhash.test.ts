import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePost } from './normalize.ts';
import { bandKeys, ClusterIndex, dedupForm, hammingHex, nearDuplicate, shingleSet, signature, simhash, similarity, sortUint32, textHash } from './simhash.ts';
import { mulberry32 } from './random.ts';
import { loadCorpus } from './corpus/index.ts';
import { rewritten } from './corpus/synthetic.ts';

const ORIGINAL = '最新消息：高度白酒能杀死新型冠状病毒，每天中午喝二两，病毒就进不了身体。家里有老人的赶紧转告！';

// Variants of one claim: all must be near-duplicates of the original.
const near: Array<[string, string]> = [
  ['identical', ORIGINAL],
  ['转发 prefix', `转发：${ORIGINAL}`],
  ['【扩散】 prefix', `【扩散】${ORIGINAL}`],
  ['紧急通知 prefix and emoji', `紧急通知！${ORIGINAL}🙏🙏`],
  ['punctuation changed', ORIGINAL.replace(/，/g, ' ').replace(/。/g, '!!').replace('：', ':')],
  ['traditional characters', '最新消息：高度白酒能殺死新型冠狀病毒，每天中午喝二兩，病毒就進不了身體。家裡有老人的趕緊轉告！'],
  ['appended short comment', `${ORIGINAL} 真的假的？我爸已经开始喝了`],
  ['repost chain', `//@柳河小李:真的假的？//${ORIGINAL}`],
  ['a few words changed', '最新消息：52度以上的白酒能杀死新型冠状病毒，每天中午喝二两，病毒就进不了身体。家里有老人的快转告'],
  ['numerals as digits', '最新消息：高度白酒能杀死新型冠状病毒，每天中午喝2两，病毒就进不了身体。家里有老人的赶紧转告！'],
  ['tail cut off', '最新消息：高度白酒能杀死新型冠状病毒，每天中午喝二两，病毒就进不了身体'],
];

// Other claims, some on the same template: none may be a near-duplicate of the original.
const far: Array<[string, string]> = [
  ['same template, different claim', '最新消息：淡盐水每天漱口三次，能把喉咙里的病毒全部冲掉，家里有小孩的赶紧转告！'],
  ['same topic, different claim', '喝高度白酒到底伤不伤胃？我爸每天中午二两，说是活血，劝都劝不住'],
  ['unrelated', '区教育局通知：全区中小学、幼儿园春季学期延期开学，具体开学时间另行通知。'],
  ['short post contained in a long one', '白酒'],
  ['empty', ''],
];

const N = (s: string) => normalizePost(s);

for (const [what, text] of near) {
  test(`near-duplicate: ${what}`, () => {
    assert.equal(nearDuplicate(N(ORIGINAL), N(text)), true, JSON.stringify(similarity(N(ORIGINAL), N(text))));
    assert.equal(nearDuplicate(N(text), N(ORIGINAL)), true, 'symmetric');
  });
}
for (const [what, text] of far) {
  test(`not a near-duplicate: ${what}`, () => {
    assert.equal(nearDuplicate(N(ORIGINAL), N(text)), false, JSON.stringify(similarity(N(ORIGINAL), N(text))));
  });
}

test('SimHash: reposts and punctuation variants are within a few bits, different texts far apart', () => {
  const h = simhash(N(ORIGINAL));
  assert.match(h, /^[0-9a-f]{16}$/);
  assert.equal(hammingHex(h, simhash(N(`转发：${ORIGINAL}`))), 0, 'a repost prefix is boilerplate');
  assert.equal(hammingHex(h, simhash(N(ORIGINAL.replace(/，/g, '!')))), 0, 'punctuation is not in the dedup form');
  // Changed words move a short post's SimHash by more than its bands catch (the MinHash keys do):
  // closer than other claims all the same.
  const changed = hammingHex(h, simhash(N(near[8]![1])));
  assert.ok(changed <= 16, `a few changed words: ${changed} bits`);
  for (const [, text] of far.slice(0, 3)) assert.ok(hammingHex(h, simhash(N(text))) > changed + 4, text);
});

test('hammingHex counts differing bits of 16-hex hashes', () => {
  assert.equal(hammingHex('0000000000000000', '0000000000000000'), 0);
  assert.equal(hammingHex('0000000000000000', 'ffffffffffffffff'), 64);
  assert.equal(hammingHex('8000000000000001', '0000000000000000'), 2);
  assert.equal(hammingHex('00000000f0000000', '0000000000000000'), 4);
});

test('bandKeys: four 16-bit bands; hashes within distance 3 share one', () => {
  assert.deepEqual(bandKeys('0123456789abcdef'), ['b0:0123', 'b1:4567', 'b2:89ab', 'b3:cdef']);
  const a = '0123456789abcdef';
  const b = '1123556789abcdff'; // 3 bits differ, in three bands
  assert.ok(hammingHex(a, b) <= 3);
  assert.ok(bandKeys(a).some((k) => bandKeys(b).includes(k)));
});

test('textHash ignores punctuation, emoji and repost boilerplate, nothing else', () => {
  assert.match(textHash(N(ORIGINAL)), /^[0-9a-f]{16}$/);
  assert.equal(textHash(N(ORIGINAL)), textHash(N(`【扩散】${ORIGINAL.replace(/，/g, '、')}🙏`)));
  assert.notEqual(textHash(N(ORIGINAL)), textHash(N(ORIGINAL.replace('二两', '三两'))));
});

test('dedup form: word characters only, numerals as digits, boilerplate out', () => {
  assert.equal(dedupForm(N('转发：口罩二十五元一个，一次只给五个！')), '口罩25元1个1次只给5个');
  assert.equal(dedupForm(N('一百零五人，三百块，两千万，二〇二〇年')), '105人300块200000002020年');
});

test('signature: text hash, 4 SimHash bands and 32 MinHash bands; variants share keys', () => {
  const s = signature(N(ORIGINAL));
  assert.equal(s.keys.length, 1 + 4 + 32);
  assert.equal(s.keys[0], `t:${s.textHash}`);
  assert.deepEqual(s.keys.slice(1, 5), bandKeys(s.simhash));
  for (const [, text] of near) {
    const v = signature(N(text));
    assert.ok(v.keys.some((k) => s.keys.includes(k)), `${text} shares a key`);
  }
});

// Corpus posts with one character in `every` replaced: pairs from far apart to just above the bar.
function editedPairs(every: number[]): Array<{ a: string; b: string; jaccard: number; shared: number }> {
  const rand = mulberry32(7);
  return loadCorpus()
    .all.filter((e) => [...e.text].length >= 60)
    .slice(0, 300)
    .map((e, i) => {
      const a = N(e.text);
      const b = N(rewritten(e.text, every[i % every.length]!, rand));
      const ka = signature(a).keys.filter((x) => x.startsWith('m'));
      const kb = new Set(signature(b).keys.filter((x) => x.startsWith('m')));
      return { a, b, jaccard: similarity(a, b).jaccard, shared: ka.filter((x) => kb.has(x)).length };
    });
}

test('MinHash bands estimate the bigram Jaccard the decision uses: a band of 3 rows agrees with probability ≈ J³', (t) => {
  // Over many pairs the share of agreeing bands is close to the mean of J³ of the *bigram* sets
  // (MinHash over other shingles, such as trigrams, agrees far less often: about 0.4 of this).
  const pairs = editedPairs([3, 4, 5, 6, 8, 12]);
  const expected = pairs.reduce((s, p) => s + p.jaccard ** 3, 0) / pairs.length;
  const observed = pairs.reduce((s, p) => s + p.shared / 32, 0) / pairs.length;
  t.diagnostic(`${pairs.length} pairs: bands agreeing ${observed.toFixed(3)}, mean J³ ${expected.toFixed(3)}`);
  assert.ok(expected > 0.1, `pairs span the range (mean J³ ${expected})`);
  assert.ok(Math.abs(observed - expected) < 0.15 * expected, `agreeing bands ${observed.toFixed(3)} vs mean J³ ${expected.toFixed(3)}`);
});

test('MinHash bands find pairs near the decision bar: ≥ 80% of pairs at bigram Jaccard 0.4–0.5 share a band', (t) => {
  const near = editedPairs([4, 5, 6]).filter((p) => p.jaccard >= 0.4 && p.jaccard < 0.5);
  assert.ok(near.length >= 40, `${near.length} pairs near the bar`);
  const found = near.filter((p) => p.shared > 0).length;
  t.diagnostic(`${found} of ${near.length} pairs at bigram Jaccard 0.4–0.5 share a band`);
  assert.ok(found >= 0.8 * near.length, `${found} of ${near.length} share a band`);
});

test('ClusterIndex clusters variants together and keeps claims apart', () => {
  const index = new ClusterIndex();
  const add = (id: string, text: string) => {
    const n = N(text);
    const s = signature(n);
    return index.add({ id, normalized: n, simhash: s.simhash, textHash: s.textHash, bandKeys: s.keys });
  };
  assert.equal(add('p0', ORIGINAL).clusterId, 'p0');
  near.forEach(([, text], i) => assert.equal(add(`n${i}`, text).clusterId, 'p0', text));
  far.slice(0, 3).forEach(([, text], i) => assert.equal(add(`f${i}`, text).clusterId, `f${i}`, text));
  assert.equal(index.clusterOf('n3'), 'p0');
  assert.equal(index.size, 1 + near.length + 3);
});

test('sortUint32 sorts like a numeric sort, on short and long arrays with values above 2^31', () => {
  const rand = mulberry32(7);
  const cases: number[][] = [[], [5], [0xffffffff, 0, 0x80000000, 0x7fffffff, 1], Array.from({ length: 31 }, (_, i) => (i * 0x9e3779b1) >>> 0)];
  for (const n of [32, 33, 200, 1000, 5000]) cases.push(Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32)));
  cases.push(Array.from({ length: 300 }, (_, i) => [7, 0x80000001, 7][i % 3]!)); // repeats
  for (const c of cases) {
    const got = Uint32Array.from(c);
    sortUint32(got);
    assert.deepEqual([...got], [...c].sort((x, y) => x - y), `length ${c.length}`);
  }
});

test('shingleSet right after signature (reusing its shingles) equals shingleSet from scratch', () => {
  const texts = ['转发：青石镇明天封路，大家注意！', '东关社区今天发放口罩二十五个', '甲', '', '今天天气很好，东关社区开始测温'];
  const fresh = texts.map((t) => [...shingleSet(t)]);
  texts.forEach((t, i) => {
    signature(t);
    assert.deepEqual([...shingleSet(t)], fresh[i], t);
    signature(t);
    simhash(texts[(i + 1) % texts.length]!); // another text in between: not reused
    assert.deepEqual([...shingleSet(t)], fresh[i], t);
  });
});
