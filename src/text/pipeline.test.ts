import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from './corpus/index.ts';
import { compileGroups, GroupRuleError } from './keywords.ts';
import { DEFAULT_GROUPS } from './lexicon.ts';
import { normalizePost } from './normalize.ts';
import { analyse, FEATURE_DIM, GroupsWithDefaults } from './pipeline.ts';
import { jiebaCut, segmentFast } from './segment.ts';
import { bandKeys, simhash, textHash } from './simhash.ts';

const POST = '【扩散】據內部消息，明天起全市超市關門！！！口罩已經漲到50元一個了 https://t.cn/A6pL0vZk?utm_source=wx @岚川发布 😱';

test('analyse: one raw post → everything the opinion module stores and decides on', () => {
  const a = analyse(POST);
  assert.equal(a.normalized, '【扩散】据内部消息,明天起全市超市关门!口罩已经涨到50元一个了');
  assert.deepEqual(a.tokens, ['扩散', '据', '内部消息', '明天', '起', '全市', '超市', '关门', '口罩', '已经', '涨', '到', '50', '元', '一个', '了']);
  assert.deepEqual(a.urls, ['https://t.cn/A6pL0vZk']);
  assert.ok(a.groups.includes('rumor_marker'));
  assert.ok(a.groups.includes('price_gouging'));
  assert.deepEqual(a.ruleGroups, a.groups);
  assert.equal(a.simhash, simhash(a.normalized));
  assert.equal(a.textHash, textHash(a.normalized));
  assert.deepEqual(a.bandKeys.slice(1, 5), bandKeys(a.simhash));
  assert.equal(a.bandKeys.length, 1 + 4 + 32);
  assert.ok(a.features instanceof Int32Array && a.features.length > a.tokens.length);
  assert.ok(a.features.every((f) => f >= 0 && f < FEATURE_DIM));
});

test('analyse is deterministic and allocation-safe across calls (no shared buffers leak)', () => {
  const a = analyse(POST);
  analyse('完全不同的一条帖子，关于学校开学的问题？');
  const b = analyse(POST);
  assert.deepEqual(b, a);
});

test("analyse with an office's own groups: groups from them, rule features from the built-in lexicon", () => {
  const mine = compileGroups([
    { id: 'supermarket', name: '超市', rule: '超市 AND (关门|关闭)' },
    { id: 'stocks', name: '股市', rule: '股价' },
  ]);
  const a = analyse(POST, mine);
  assert.deepEqual(a.groups, ['supermarket']);
  assert.ok(a.ruleGroups.includes('rumor_marker'));
  assert.deepEqual(a.features, analyse(POST).features);
});

test('analyse copes with empty, symbol-only and very long posts', () => {
  for (const text of ['', '   ', '🙏🙏🙏', '！！！', 'a']) {
    const a = analyse(text);
    assert.equal(typeof a.normalized, 'string');
    assert.match(a.simhash, /^[0-9a-f]{16}$/);
  }
  const long = analyse('疫情期间口罩涨价，'.repeat(100_000));
  assert.ok(long.tokens.length >= 300_000);
});

test('the fast segmenter returns what native jieba returns (HMM off) on the corpus', () => {
  const word = /[\p{L}\p{N}]/u;
  let same = 0;
  const diffs: string[] = [];
  const all = loadCorpus().all;
  for (const e of all) {
    const t = normalizePost(e.text);
    const fast = segmentFast(t).join('/');
    const native = jiebaCut(t).filter((w) => word.test(w)).join('/');
    if (fast === native) same++;
    else diffs.push(`${fast}\n${native}`);
  }
  // The only differences: the fast path folds the dictionary's upper-case words (A型, T恤, PH值) to
  // the lower case of normalised text, so it keeps them whole where native jieba splits them.
  assert.ok(same / all.length >= 0.98, `${same}/${all.length}\n${diffs.slice(0, 3).join('\n\n')}`);
  for (const d of diffs) {
    const [fast, native] = d.split('\n');
    assert.equal(fast!.replace(/\//g, ''), native!.replace(/\//g, ''));
    assert.match(d, /[a-z]/);
  }
});

test('analyse: an office\'s groups compiled with the lexicon give what two separate scans give', () => {
  const offices = [
    DEFAULT_GROUPS.map((g) => ({ ...g })), // as seeded
    [
      { id: DEFAULT_GROUPS[0]!.id, name: '改过的', rule: '(口罩|消毒液) AND (涨价|哄抬)' }, // a built-in id, another rule
      { id: 'g-vaccine', name: '疫苗', rule: '疫苗 NOT (宠物|狂犬)' },
      { id: 'g-rumor', name: '谣言', rule: '封城 OR 关门 OR 据内部消息' },
    ],
    [],
  ];
  const texts = [POST, ...loadCorpus().all.slice(0, 400).map((e) => e.text)];
  for (const [k, office] of offices.entries()) {
    const both = new GroupsWithDefaults(office);
    const alone = compileGroups(office);
    let officeHits = 0;
    for (const t of texts) {
      const a = analyse(t, both);
      const b = analyse(t, alone);
      assert.deepEqual(a.groups, b.groups, `office ${k}: ${t}`);
      assert.deepEqual(a.ruleGroups, b.ruleGroups, `office ${k}: ${t}`);
      assert.deepEqual([...a.features], [...b.features], `office ${k}: ${t}`);
      officeHits += a.groups.length;
    }
    if (office.length) assert.ok(officeHits > 0, `office ${k}: some posts match its groups`);
  }
  assert.throws(
    () => new GroupsWithDefaults([{ id: 'g-bad', name: '坏规则', rule: '口罩 AND (' }]),
    (err) => err instanceof GroupRuleError && err.groupId === 'g-bad' && err.message.includes('坏规则'),
  );
});
