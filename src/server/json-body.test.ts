import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Text } from './app.ts';

test('JSON bodies: utf8Text reads valid UTF-8 exactly as Buffer#toString does', () => {
  const cases = [
    '',
    '{"posts":[]}',
    '{"text":"口罩涨价！据内部消息，明天起全市超市关门"}',
    '{"text":"😷 𠀀 \\u0000 é ü"}', // astral characters (surrogate pairs), escapes, Latin-1
    '\uFEFF{"x":1}', // a byte-order mark stays (JSON.parse then refuses it, as before)
    'ascii only, but long '.repeat(5000),
    '混合 mixed ' + 'x'.repeat(70_000) + ' 结尾',
    String.fromCodePoint(0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff),
  ];
  for (const s of cases) {
    const body = Buffer.from(s, 'utf8');
    const got = utf8Text(body);
    assert.equal(got, body.toString('utf8'), JSON.stringify(s.slice(0, 40)));
    assert.equal(got, s);
  }
});
