// The ingest fast paths (opinion.schema.ts) must never accept what zod refuses, must give zod's own
// output when they accept, and the response serialiser must write what zod + JSON.stringify write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastCheckOf, fastSerializerOf } from '../../kernel/schema-fast-path.ts';
import { ingestBody, ingestResponse, MAX_POSTS_PER_CALL, MAX_TEXT } from './opinion.schema.ts';

const good = { source: 'weibo', externalId: 'e1', text: '网传青石镇明天封路，大家赶紧囤菜', publishedAt: '2026-02-01T08:00:00+08:00' };
const posts: Array<[string, unknown]> = [
  ['plain', good],
  ['with author and url', { ...good, author: '某网友', url: 'https://weibo.com/1/abc' }],
  ['Z time with fraction', { ...good, publishedAt: '2026-02-01T08:00:00.123Z' }],
  ['text at the limit', { ...good, text: '字'.repeat(MAX_TEXT) }],
  ['text over the limit', { ...good, text: '字'.repeat(MAX_TEXT + 1) }],
  ['text with spaces around (zod trims)', { ...good, text: '  网传消息 ' }],
  ['text with an ideographic space at the end', { ...good, text: '网传消息\u3000' }],
  ['only spaces', { ...good, text: '   ' }],
  ['empty text', { ...good, text: '' }],
  ['externalId with a newline at the end', { ...good, externalId: 'e1\n' }],
  ['source with a slash', { ...good, source: 'a/b' }],
  ['source with a space inside', { ...good, source: 'a b' }],
  ['source too long', { ...good, source: 'x'.repeat(61) }],
  ['time without offset', { ...good, publishedAt: '2026-02-01T08:00:00' }],
  ['time on 31 February', { ...good, publishedAt: '2026-02-31T08:00:00Z' }],
  ['time without seconds', { ...good, publishedAt: '2026-02-01T08:00Z' }],
  ['not a time', { ...good, publishedAt: 'yesterday' }],
  ['author null', { ...good, author: null }],
  ['author too long', { ...good, author: 'x'.repeat(201) }],
  ['ftp url', { ...good, url: 'ftp://a.cn/x' }],
  ['url not a url', { ...good, url: 'https://' }],
  ['unknown key', { ...good, authorId: 'x' }],
  ['missing text', { source: 'weibo', externalId: 'e1', publishedAt: good.publishedAt }],
  ['number as text', { ...good, text: 42 }],
  ['an array', [good]],
  ['null', null],
];

test('ingest fast check: accepts only what zod accepts, and zod leaves it unchanged', () => {
  const check = fastCheckOf(ingestBody)!;
  assert.ok(check, 'a fast check is registered');
  let accepted = 0;
  const bodies: Array<[string, unknown]> = [
    ...posts.map(([name, p]) => [name, { posts: [p] }] as [string, unknown]),
    ['no posts', { posts: [] }],
    ['too many posts', { posts: Array.from({ length: MAX_POSTS_PER_CALL + 1 }, (_, i) => ({ ...good, externalId: `e${i}` })) }],
    ['most posts allowed', { posts: Array.from({ length: MAX_POSTS_PER_CALL }, (_, i) => ({ ...good, externalId: `e${i}` })) }],
    ['extra top-level key', { posts: [good], dryRun: true }],
    ['posts not an array', { posts: good }],
  ];
  for (const [name, body] of bodies) {
    const zod = ingestBody.safeParse(body);
    if (check(body)) {
      accepted++;
      assert.ok(zod.success, `${name}: the fast check accepted what zod refuses`);
      assert.deepEqual(zod.data, body, `${name}: zod would have changed it`);
    }
  }
  assert.ok(accepted >= 5, `the fast path is taken for ordinary bodies (${accepted})`);
  assert.equal(check({ posts: [good] }), true);
  assert.equal(check({ posts: [{ ...good, author: '某网友', url: 'https://weibo.com/1/abc' }] }), true);
});

test('ingest response fast serialiser writes what zod + JSON.stringify write, or leaves it to zod', () => {
  const serialize = fastSerializerOf(ingestResponse)!;
  const r = { externalId: 'e"1', id: 'a', status: 'created', relevant: true, category: 'rumor', clusterId: 'c', refutationId: null };
  const cases = [
    { results: [] },
    { results: [r, { ...r, status: 'duplicate', relevant: false, category: 'other', refutationId: 'r\u2028' }] },
  ];
  for (const data of cases) assert.equal(serialize(data), JSON.stringify(ingestResponse.parse(data)));
  assert.equal(serialize({ results: [{ ...r, category: 'unknown' }] }), undefined);
  assert.equal(serialize({ results: [{ ...r, refutationId: undefined }] }), undefined);
  assert.equal(serialize({}), undefined);
});
