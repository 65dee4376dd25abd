import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGroups, evaluateRule, formatRule, GroupRuleError, KeywordAutomaton, parseRule, RuleSyntaxError } from './keywords.ts';
import { DEFAULT_GROUPS } from './lexicon.ts';
import { normalizePost } from './normalize.ts';

// ---- rules: valid ---------------------------------------------------------------------------------

const valid: Array<[string, string]> = [
  // [rule, canonical form]
  ['疫情', '疫情'],
  ['(疫情|肺炎|新冠) AND (涨价|哄抬) NOT (股价)', '(疫情 OR 肺炎 OR 新冠) AND (涨价 OR 哄抬) AND NOT 股价'],
  ['疫情 涨价', '疫情 AND 涨价'],
  ['疫情 OR 肺炎 AND 涨价', '疫情 OR 肺炎 AND 涨价'],
  ['(疫情 OR 肺炎) AND 涨价', '(疫情 OR 肺炎) AND 涨价'],
  ['疫情&&涨价||哄抬', '疫情 AND 涨价 OR 哄抬'],
  ['口罩 and not 股价', '口罩 AND NOT 股价'],
  ['口罩 !股价', '口罩 AND NOT 股价'],
  ['疫情 且 涨价 或 哄抬 非 股价', '疫情 AND 涨价 OR 哄抬 AND NOT 股价'],
  ['非法 或者', '非法 AND 或者'],
  ['"covid 19" OR 新冠', '"covid 19" OR 新冠'],
  ['“转发 保平安” OR 扩散', '转发保平安 OR 扩散'],
  ['（疫情｜肺炎）＆涨价', '(疫情 OR 肺炎) AND 涨价'],
  ['  疫情   AND   涨价  ', '疫情 AND 涨价'],
  ['ＣＯＶＩＤ OR 據說', 'covid OR 据说'],
  ['covid-19', 'covid-19'],
  ['((疫情))', '疫情'],
  ['疫情 NOT (股价 OR 房价)', '疫情 AND NOT (股价 OR 房价)'],
  ['NOT 股价 AND 口罩', 'NOT 股价 AND 口罩'],
];

for (const [rule, canonical] of valid) {
  test(`parseRule accepts ${rule}`, () => {
    const tree = parseRule(rule);
    assert.equal(formatRule(tree), canonical);
    // The canonical form parses to the same tree (positions aside).
    const strip = (s: unknown) => JSON.stringify(s, (k, v) => (k === 'position' ? undefined : v));
    assert.equal(strip(parseRule(canonical)), strip(tree));
  });
}

test('rule semantics: NOT binds tighter than AND, AND tighter than OR', () => {
  const has = (terms: string) => (t: string) => terms.split(',').includes(t);
  const r = parseRule('(疫情|肺炎|新冠) AND (涨价|哄抬) NOT (股价)');
  assert.equal(evaluateRule(r, has('疫情,涨价')), true);
  assert.equal(evaluateRule(r, has('新冠,哄抬')), true);
  assert.equal(evaluateRule(r, has('疫情,涨价,股价')), false);
  assert.equal(evaluateRule(r, has('疫情')), false);
  const r2 = parseRule('a OR b AND c');
  assert.equal(evaluateRule(r2, has('a')), true);
  assert.equal(evaluateRule(r2, has('b')), false);
  assert.equal(evaluateRule(r2, has('b,c')), true);
});

// ---- rules: invalid -------------------------------------------------------------------------------

const invalid: Array<[string, number, RegExp]> = [
  // [rule, position (0-based), message]
  ['', 0, /规则为空/],
  ['   ', 0, /规则为空/],
  ['(疫情|肺炎', 0, /第 1 个字符处的左括号“\(”没有对应的右括号/],
  ['疫情 AND (涨价', 7, /第 8 个字符处的左括号/],
  ['疫情)', 2, /第 3 个字符处多了一个右括号/],
  ['疫情 AND', 3, /第 4 个字符处的“AND”后面缺少关键词或括号/],
  ['疫情 AND )', 3, /“AND”后面缺少关键词/],
  ['OR 疫情', 0, /第 1 个字符处的“OR”前面缺少关键词或括号/],
  ['疫情 || || 涨价', 3, /“\|\|”后面缺少关键词/],
  ['疫情 NOT', 3, /“NOT”后面缺少关键词/],
  ['()', 0, /第 1 个字符处的括号中没有内容/],
  ['疫情 AND "涨价', 7, /第 8 个字符处的引号没有闭合/],
  ['"" OR 疫情', 0, /引号中没有内容/],
  ['疫情 AND 🙏', 7, /第 8 个字符处的关键词“🙏”只含符号或表情，规范化后为空/],
  ['NOT 股价', 0, /不能只有排除条件/],
  ['NOT (股价 OR 房价)', 0, /不能只有排除条件/],
  ['口罩 OR NOT 股价', 0, /不能只有排除条件/],
  [`${'很'.repeat(65)}`, 0, /关键词过长/],
];

for (const [rule, position, message] of invalid) {
  test(`parseRule refuses ${JSON.stringify(rule)} with a Chinese message at ${position}`, () => {
    assert.throws(
      () => parseRule(rule),
      (err: unknown) => {
        assert.ok(err instanceof RuleSyntaxError, 'a RuleSyntaxError');
        assert.match(err.message, message);
        assert.equal(err.position, position);
        return true;
      },
    );
  });
}

// ---- automaton ------------------------------------------------------------------------------------

const automatonCases: Array<[string, string[], string, string[]]> = [
  // [what, terms, text, expected terms found]
  ['overlapping terms are all found', ['新冠', '新冠肺炎', '肺炎', '冠状病毒', '新型冠状病毒'], '新型冠状病毒肺炎即新冠肺炎', ['新型冠状病毒', '冠状病毒', '肺炎', '新冠', '新冠肺炎']],
  ['terms inside terms', ['病毒', '毒株', '新病毒株', '病毒株', '株洲'], '发现新病毒株', ['病毒', '毒株', '新病毒株', '病毒株']],
  ['repeats are reported once', ['口罩'], '口罩口罩口罩', ['口罩']],
  ['nothing found', ['疫情'], '今天天气很好', []],
  ['terms are normalised like posts', ['ＣＯＶＩＤ', '據說'], 'covid据说', ['ＣＯＶＩＤ', '據說']],
  ['Latin terms respect letter boundaries', ['sars', 'ai'], 'sarsaparilla said ai', ['ai']],
  ['a letter term next to digits still matches', ['covid'], 'covid19', ['covid']],
  ['a digit term does not match inside a longer number', ['19'], '2019年 19人', ['19']],
  ['single characters and longer repeats', ['哈', '哈哈', '哈哈哈', '哈哈哈哈哈'], '哈哈哈哈', ['哈', '哈哈', '哈哈哈']],
  ['duplicate terms are both reported', ['疫情', '疫情'], '疫情', ['疫情', '疫情']],
  ['an empty term never matches', ['', '🙏', '口罩'], '口罩🙏', ['口罩']],
];

for (const [what, terms, text, expected] of automatonCases) {
  test(`KeywordAutomaton: ${what}`, () => {
    const ac = new KeywordAutomaton(terms);
    const ids = ac.matchIds(normalizePost(text));
    assert.deepEqual(ids.map((i) => terms[i]).sort(), [...expected].sort());
  });
}

test('KeywordAutomaton with 5,000 terms agrees with a naive search', () => {
  // Deterministic pseudo-random terms over a small alphabet, so that many overlap.
  const alphabet = '疫情肺炎口罩涨价哄抬隔离封城谣言转发病毒确诊发热';
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const terms = new Set<string>();
  while (terms.size < 5000) {
    const len = 1 + Math.floor(rand() * 5);
    let t = '';
    for (let i = 0; i < len; i++) t += alphabet[Math.floor(rand() * alphabet.length)];
    terms.add(t);
  }
  const list = [...terms];
  const ac = new KeywordAutomaton(list);
  for (let k = 0; k < 50; k++) {
    let text = '';
    for (let i = 0; i < 300; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
    const expected = list.map((t, i) => (text.includes(t) ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(ac.matchIds(text).sort((a, b) => a - b), expected);
  }
});

// ---- compiled groups ------------------------------------------------------------------------------

test('compileGroups evaluates every group on one scan', () => {
  const groups = compileGroups([
    { id: 'gouging', name: '哄抬物价', rule: '(疫情|肺炎|新冠) AND (涨价|哄抬) NOT (股价)' },
    { id: 'masks', name: '口罩', rule: '口罩 OR n95' },
    { id: 'stocks', name: '股市', rule: '股价' },
  ]);
  assert.equal(groups.terms, 8);
  assert.deepEqual(groups.match(normalizePost('疫情期间药店哄抬口罩价格')), ['gouging', 'masks']);
  assert.deepEqual(groups.match(normalizePost('疫情下医药股价涨价')), ['stocks']);
  assert.deepEqual(groups.match(normalizePost('N95到货')), ['masks']);
  assert.deepEqual(groups.match('今天天气很好'), []);
  assert.deepEqual(groups.explain(normalizePost('新冠期间哄抬口罩')), [
    { id: 'gouging', terms: ['新冠', '哄抬'] },
    { id: 'masks', terms: ['口罩'] },
  ]);
});

test('compileGroups names the group whose rule is wrong', () => {
  assert.throws(
    () => compileGroups([{ id: 'ok', name: '正常', rule: '疫情' }, { id: 'bad', name: '坏规则', rule: '疫情 AND (' }]),
    (err: unknown) => err instanceof GroupRuleError && err.groupId === 'bad' && /关键词组“坏规则”的规则有误/.test(err.message),
  );
});

test('the default lexicon compiles, with thousands of terms in one automaton', () => {
  const groups = compileGroups(DEFAULT_GROUPS);
  assert.ok(groups.terms > 500, `${groups.terms} terms`);
  const ids = new Set(DEFAULT_GROUPS.map((g) => g.id));
  assert.equal(ids.size, DEFAULT_GROUPS.length, 'group ids are unique');
  const m = (s: string) => groups.match(normalizePost(s));
  assert.ok(m('药店口罩涨到五十元一个，哄抬物价').includes('price_gouging'));
  assert.ok(!m('这只股票股价又涨价了').includes('price_gouging'));
  assert.ok(m('紧急扩散！内部消息明天封城').includes('rumor_marker'));
  assert.ok(m('喝板蓝根能预防新冠').includes('fake_cure'));
  assert.ok(m('电脑中了病毒，杀毒软件也没用').includes('guard_tech'));
  assert.ok(!m('电脑中了病毒，杀毒软件也没用').includes('epidemic'));
  assert.ok(m('新冠肺炎疫情防控').includes('epidemic'));
});
