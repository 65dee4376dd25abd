import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractUrls, fullWidthToHalf, normalize, normalizePost, stripHtml } from './normalize.ts';

const cases: Array<[string, string, string]> = [
  // [what it shows, input, expected]
  ['empty stays empty', '', ''],
  ['plain simplified text is unchanged', '疫情期间请戴口罩', '疫情期间请戴口罩'],
  ['full-width punctuation and letters become half-width', '疫情！ＣＯＶＩＤ－１９，你好？', '疫情!covid-19,你好?'],
  ['traditional characters become simplified', '據內部消息，後天開始停水', '据内部消息,后天开始停水'],
  ['traditional with full-width in one post', '緊急擴散！！！醫院裡的朋友說', '紧急扩散!医院里的朋友说'],
  ['Latin is lower-cased', 'WHO says N95 WORKS', 'who says n95 works'],
  ['repeated punctuation collapses', '真的吗？？？太可怕了！！！！', '真的吗?太可怕了!'],
  ['Chinese ellipsis collapses to one', '我也不知道……………', '我也不知道…'],
  ['three dots become an ellipsis, a decimal point stays', '涨到1.5元...太贵了', '涨到1.5元…太贵了'],
  ['。。。 collapses', '好吧。。。', '好吧。'],
  ['URLs are removed', '详见 https://example.com/a?b=1 官方通报', '详见官方通报'],
  ['www and t.cn links are removed', '看这里www.abc.com/x 和 http://t.cn/A6pL0vZk 结束', '看这里和结束'],
  ['bare t.cn short link is removed', '原文t.cn/A6pL0vZk', '原文'],
  ['emoji and pictographs are removed', '加油💪🏻武汉❤️👍中国🇨🇳', '加油武汉中国'],
  ['Weibo emoticon codes are removed', '太难了[泪][允悲]大家保重', '太难了大家保重'],
  ['a bracket with digits is not an emoticon', '见附件[1]', '见附件[1]'],
  ['@handles are removed, the text kept', '@岚川发布 请问什么时候开学', '请问什么时候开学'],
  ['repost chains lose their //@name: markers', '真的假的 //@张三:转发微博 //@李四: 据说明天封城', '真的假的转发微博据说明天封城'],
  ['a handle followed by a full-width colon', '回复@王五：谢谢', '回复谢谢'],
  ['an e-mail address is kept', '联系abc@qq.com', '联系abc@qq.com'],
  ['# topic markers are dropped, their words kept', '#武汉加油# 众志成城', '武汉加油众志成城'],
  ['whitespace between CJK is dropped', '疫 情  防 控', '疫情防控'],
  ['whitespace between Latin words collapses to one', 'hello    world\t\nagain', 'hello world again'],
  ['ideographic space counts as whitespace', 'covid\u300019', 'covid 19'],
  ['zero-width characters (filter evasion) are removed', '疫\u200b情\u200d封\ufeff城', '疫情封城'],
  ['leading and trailing space is trimmed', '   口罩   ', '口罩'],
  ['HTML tags and entities are stripped', '<p>口罩&amp;酒精</p><br/>到货', '口罩&酒精到货'],
  ['full-width tilde and half-width forms', '好～～～', '好~'],
];

for (const [what, input, expected] of cases) {
  test(`normalizePost: ${what}`, () => {
    assert.equal(normalizePost(input), expected);
  });
}

test('normalizePost is idempotent on every case', () => {
  for (const [, input] of cases) {
    const once = normalizePost(input);
    assert.equal(normalizePost(once), once, input);
  }
});

test('normalizePost handles a 1 MB post in linear time', () => {
  const big = '紧急扩散！！'.repeat(40_000) + '據說'.repeat(200_000) + 'http://x.cn/a '.repeat(10_000);
  const t = performance.now();
  const out = normalizePost(big);
  assert.ok(performance.now() - t < 2000);
  assert.ok(out.startsWith('紧急扩散!紧急扩散!'));
  assert.ok(out.endsWith('据说'));
});

test('normalizePost keeps lone surrogates from breaking the output', () => {
  const out = normalizePost('口罩\ud800到货');
  assert.ok(out.startsWith('口罩') && out.endsWith('到货'));
});

const urlCases: Array<[string, string, string[]]> = [
  ['none', '今天没有链接', []],
  ['scheme and host lower-case, fragment dropped', '看 HTTPS://Example.COM/Path#top', ['https://example.com/Path']],
  ['tracking parameters dropped, others kept and sorted', 'https://mp.weixin.qq.com/s?mid=2&__biz=MzA&chksm=abc&scene=1#rd', ['https://mp.weixin.qq.com/s?__biz=MzA&mid=2']],
  ['utm parameters dropped', 'http://a.com/x?utm_source=wx&id=7', ['http://a.com/x?id=7']],
  ['trailing slash and trailing punctuation dropped', '见http://a.com/b/。', ['http://a.com/b']],
  ['www and t.cn links get a scheme', 'www.a.com/x 与 t.cn/A6abc', ['http://www.a.com/x', 'http://t.cn/A6abc']],
  ['duplicates once, in order', 'https://b.com https://a.com https://b.com/', ['https://b.com', 'https://a.com']],
  ['stops at CJK text', '链接https://a.com/p官方', ['https://a.com/p']],
];
for (const [what, input, expected] of urlCases) {
  test(`extractUrls: ${what}`, () => {
    assert.deepEqual(extractUrls(input), expected);
  });
}

test('the older exports keep their behaviour', () => {
  assert.equal(fullWidthToHalf('ＡＢＣ１２３　！'), 'ABC123 !');
  assert.equal(stripHtml('<b>a</b>&lt;b&gt;&#20013;'), ' a <b>中');
  assert.equal(normalize('  Ａ　 b  '), 'A b');
});

test('normalizePost is idempotent on 20,000 random strings of tricky characters', () => {
  // Handles, URLs, emoticon brackets, HTML, surrogate halves, numerals, dots and spaces in every order:
  // removing one thing must never leave text that a second pass would change.
  const pool = ['疫', '情', '口', '罩', '!', '！', '@', '＠', '#', '[', ']', 'h', 't', 'p', ':', '/', '.', 'w', '\ud83d', '\ude00', '\ud800', '二', '十', ' ', '\u200b', '转', '“', '”', '(', '|', '&', 'A', 'c', 'n', '1', '<', '>', '&amp;', 'http://a.cn/x', '哈'];
  let seed = 20200123;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < 20_000; k++) {
    let s = '';
    const len = Math.floor(rand() * 40);
    for (let i = 0; i < len; i++) s += pool[Math.floor(rand() * pool.length)];
    const once = normalizePost(s);
    assert.equal(normalizePost(once), once, JSON.stringify(s));
  }
});
