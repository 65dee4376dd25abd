import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describeEachDb, type Client } from '../../testing/harness.ts';
import { localDate } from '../../kernel/time.ts';

export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">点我</a>',
  '<a href="JaVaScRiPt:alert(1)">大写</a>',
  '<a href="&#106;avascript:alert(1)">实体</a>',
  '<svg onload=alert(1)><circle r=1></svg>',
  '<iframe src="https://evil.example/"></iframe>',
  '<p style="background:url(javascript:alert(1))">样式</p>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<div onclick="alert(1)">点击</div>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  '<object data="javascript:alert(1)"></object>',
  '<form action="javascript:alert(1)"><button>提交</button></form>',
  '<body onload=alert(1)>',
];

/** Nothing executable may survive: no script or dangerous element, no on* handler, no javascript:/data: URL. */
export function assertInert(html: string, where: string) {
  assert.doesNotMatch(html, /<script(?![^>]*type="application\/ld\+json")/i, `${where}: script`);
  assert.doesNotMatch(html, /<(iframe|object|embed|svg|math|form|style)\b/i, `${where}: dangerous element`);
  assert.doesNotMatch(html, /\son\w+\s*=/i, `${where}: event handler`);
  assert.doesNotMatch(html, /(href|src|action|data)\s*=\s*["']?\s*(javascript|data|vbscript):/i, `${where}: script URL`);
}

describeEachDb('publishing', (ctx) => {
  let editor: Client & { userId: string };
  let editor2: Client & { userId: string };
  let reviewer: Client & { userId: string };
  let reviewerAuthor: Client & { userId: string };
  let reporter: Client & { userId: string };
  let media: string;
  const draft = (extra: Record<string, unknown> = {}) => ({
    kind: 'notice',
    title: '关于进一步做好疫情防控工作的通告',
    body: '<p>全区居民<strong>非必要不外出</strong>，外出佩戴口罩。</p>',
    theme: 'local_arrangement',
    channels: ['website', 'wechat', 'weibo'],
    ...extra,
  });
  const flow = async (body: Record<string, unknown>, by = editor) => {
    const c = await by.post('/api/content', body);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const id = c.body.content.id;
    assert.equal((await by.post(`/api/content/${id}/submit`)).body.content.status, 'in_review');
    assert.equal((await reviewer.post(`/api/content/${id}/approve`)).body.content.status, 'approved');
    return id as string;
  };

  before(async () => {
    const c = ctx();
    media = await c.org(c.rootOrgId, 'media', '区融媒体中心');
    editor = await c.user(media, ['editor'], 'ed1');
    editor2 = await c.user(media, ['editor'], 'ed2');
    reviewer = await c.user(media, ['reviewer'], 'rv1');
    reviewerAuthor = await c.user(media, ['editor', 'reviewer'], 'edrv');
    reporter = await c.user(c.rootOrgId, ['reporter'], 'rep');
  });

  test('draft → in_review → approved → published; the item appears on the public site and the feed', async () => {
    const created = await editor.post('/api/content', draft());
    assert.equal(created.status, 201);
    assert.equal(created.body.content.status, 'draft');
    const id = created.body.content.id;
    assert.equal((await ctx().anon.get('/api/public/content')).body.items.length, 0, 'drafts are not public');
    await editor.post(`/api/content/${id}/submit`);
    await reviewer.post(`/api/content/${id}/approve`);
    const pub = await editor.post(`/api/content/${id}/publish`);
    assert.equal(pub.status, 200);
    assert.equal(pub.body.content.status, 'published');
    const list = await ctx().anon.get('/api/public/content');
    assert.deepEqual(list.body.items.map((i: any) => i.id), [id]);
    const page = await ctx().anon.get(`/news/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /关于进一步做好疫情防控工作的通告/);
    assert.match(page.body, /<meta property="og:title" content="关于进一步做好疫情防控工作的通告">/);
    const feed = await ctx().anon.get('/feed.xml');
    assert.match(String(feed.headers['content-type']), /application\/atom\+xml/);
    assert.match(feed.body, new RegExp(`urn:uuid:${id}`));
    const detail = await editor.get(`/api/content/${id}`);
    const channels = Object.fromEntries(detail.body.deliveries.map((d: any) => [d.channel, d.status]));
    assert.deepEqual(channels, { website: 'confirmed', wechat: 'pending', weibo: 'pending' });
  });

  test('four eyes: the author cannot approve their own item, editors cannot approve, reporters cannot publish', async () => {
    const c = await reviewerAuthor.post('/api/content', draft({ title: '自写自审' }));
    const id = c.body.content.id;
    await reviewerAuthor.post(`/api/content/${id}/submit`);
    const own = await reviewerAuthor.post(`/api/content/${id}/approve`);
    assert.equal(own.status, 403);
    assert.match(own.body.error.message, /不能审核自己撰写的稿件/);
    assert.equal((await editor2.post(`/api/content/${id}/approve`)).status, 403, 'editor lacks the reviewer role');
    assert.equal((await reporter.post('/api/content', draft())).status, 403);
    assert.equal((await reporter.post(`/api/content/${id}/publish`)).status, 403, 'reporters lack the right to publish');
    assert.equal((await editor.post(`/api/content/${id}/publish`)).status, 409, 'not approved yet');
    assert.equal((await reviewer.post(`/api/content/${id}/approve`)).status, 200);
  });

  test('reviews send back with a comment; edits create versions with a visible diff', async () => {
    const c = await editor.post('/api/content', draft({ title: '初稿标题' }));
    const id = c.body.content.id;
    await editor.post(`/api/content/${id}/submit`);
    const back = await reviewer.post(`/api/content/${id}/reject`, { note: '请补充发布单位' });
    assert.equal(back.body.content.status, 'draft');
    const edited = await editor.patch(`/api/content/${id}`, { title: '修改后标题', body: '<p>全区居民非必要不外出。</p><p>发布单位：区疫情防控指挥部</p>' });
    assert.equal(edited.body.content.version, 2);
    const detail = await editor.get(`/api/content/${id}`);
    assert.match(detail.body.comments[0].body, /请补充发布单位/);
    const diff = await editor.get(`/api/content/${id}/diff?from=1&to=2`);
    assert.match(diff.body.diff, /^-初稿标题$/m);
    assert.match(diff.body.diff, /^\+修改后标题$/m);
    assert.match(diff.body.diff, /^\+发布单位：区疫情防控指挥部$/m);
    assert.equal((await editor.get(`/api/content/${id}/versions`)).body.versions.length, 2);
  });

  test('XSS payloads come out inert on the public site and in the feed', async () => {
    const body = XSS_PAYLOADS.map((p, i) => `<p>第${i}段</p>${p}`).join('\n');
    const id = await flow(draft({ title: '<script>alert("t")</script>标题', body, summary: '<img src=x onerror=alert(1)>' }));
    await editor.post(`/api/content/${id}/publish`);
    const page = await ctx().anon.get(`/news/${id}`);
    assertInert(/<article>[\s\S]*<\/article>/.exec(page.body)![0], 'page');
    assert.doesNotMatch(page.body, /<script/i, 'no script anywhere on the page');
    assert.match(page.body, /&lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt;标题/, 'the title is shown as text');
    assert.match(page.body, /第0段/);
    assert.match(page.body, /第10段/, 'text around the payloads survives');
    const feed = await ctx().anon.get('/feed.xml');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(feed.body);
    const entries = [parsed.feed.entry].flat();
    const entry = entries.find((e: any) => e.id === `urn:uuid:${id}`);
    assertInert(String(entry.content['#text'] ?? entry.content), 'feed content');
    const json = await ctx().anon.get('/api/public/content?limit=100');
    assertInert(json.body.items.find((i: any) => i.id === id).body, 'public API');
    // The stored body itself was sanitised on save.
    assertInert((await editor.get(`/api/content/${id}`)).body.content.body, 'stored body');
  });

  test('the feed is valid Atom: well-formed, with the required feed and entry elements', async () => {
    const feed = await ctx().anon.get('/feed.xml');
    assert.equal(XMLValidator.validate(feed.body), true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(feed.body);
    assert.equal(doc.feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
    for (const k of ['id', 'title', 'updated', 'author', 'link']) assert.ok(doc.feed[k], `feed/${k}`);
    for (const e of [doc.feed.entry].flat()) {
      for (const k of ['id', 'title', 'updated', 'link', 'content']) assert.ok(e[k], `entry/${k}`);
      assert.match(e.updated, /^\d{4}-\d{2}-\d{2}T/);
      assert.match(e.link['@_href'], /^http:\/\/localhost:\d+\/news\//);
    }
  });

  test('public pages send ETag/Last-Modified, answer 304, and change after unpublish', async () => {
    const id = await flow(draft({ title: '缓存测试' }));
    await editor.post(`/api/content/${id}/publish`);
    const first = await ctx().anon.get('/news');
    assert.ok(first.headers.etag && first.headers['last-modified']);
    const again = await ctx().anon.request('GET', '/news', undefined, { headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(again.status, 304);
    // Clients that accept gzip get the same page compressed (made once per page and version).
    const zipped = await ctx().app.inject({ method: 'GET', url: '/news', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'accept-encoding');
    assert.equal(zipped.headers.etag, first.headers.etag);
    assert.equal((await import('node:zlib')).gunzipSync(zipped.rawPayload).toString('utf8'), first.body);
    const un = await reviewer.post(`/api/content/${id}/unpublish`, { note: '内容已过时' });
    assert.equal(un.body.content.status, 'unpublished');
    const after = await ctx().anon.request('GET', '/news', undefined, { headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(after.status, 200, 'a new version of the list');
    assert.doesNotMatch(after.body, /缓存测试/);
    assert.equal((await ctx().anon.get(`/news/${id}`)).status, 404);
    assert.ok(!(await ctx().anon.get('/api/public/content?limit=100')).body.items.some((i: any) => i.id === id));
  });

  test('a public correction shows its note and keeps the old version', async () => {
    const id = await flow(draft({ title: '更正测试', body: '<p>确诊病例2例。</p>' }));
    await editor.post(`/api/content/${id}/publish`);
    assert.equal((await editor.post(`/api/content/${id}/correct`, { body: '<p>确诊病例3例。</p>', note: '病例数更正' })).status, 403, 'editors cannot correct published items');
    const fixed = await reviewer.post(`/api/content/${id}/correct`, { body: '<p>确诊病例3例。</p>', note: '病例数更正' });
    assert.equal(fixed.status, 200);
    const page = await ctx().anon.get(`/news/${id}`);
    assert.match(page.body, /更正：病例数更正/);
    assert.match(page.body, /确诊病例3例/);
    assert.match((await editor.get(`/api/content/${id}/diff?from=1&to=2`)).body.diff, /^-确诊病例2例。$/m);
  });

  test('Chinese search finds published items by segmented words', async () => {
    const id = await flow(draft({ title: '春节期间取消坝坝宴的倡议', body: '<p>请村民暂停举办婚丧嫁娶宴席。</p>', theme: 'science' }));
    await editor.post(`/api/content/${id}/publish`);
    const hit = await ctx().anon.get(`/news/search?q=${encodeURIComponent('坝坝宴')}`);
    assert.match(hit.body, /春节期间取消坝坝宴的倡议/);
    const hit2 = await ctx().anon.get(`/api/public/content?q=${encodeURIComponent('婚丧嫁娶')}`);
    assert.deepEqual(hit2.body.items.map((i: any) => i.id), [id]);
    const miss = await ctx().anon.get(`/api/public/content?q=${encodeURIComponent('股价')}`);
    assert.equal(miss.body.items.length, 0);
    assert.match((await ctx().anon.get('/news?theme=science')).body, /春节期间取消坝坝宴的倡议/);
  });

  test('scheduled publishing happens at the set minute, once, however often the job runs', async () => {
    const id = await flow(draft({ title: '定时发布' }));
    const at = new Date(Date.now() + 60_000).toISOString();
    const s = await editor.post(`/api/content/${id}/publish`, { scheduledAt: at });
    assert.equal(s.body.content.status, 'scheduled');
    assert.equal((await editor.post(`/api/content/${id}/publish`, { scheduledAt: at })).status, 409, 'a scheduled item cannot be scheduled twice');
    // Run the job as two instances' runners would, early and then late.
    const { publishScheduled } = await import('./publishing.service.ts');
    const payload = { id, version: s.body.content.version };
    await Promise.all([publishScheduled(ctx().kernel, payload), publishScheduled(ctx().kernel, payload)]);
    const events = await ctx().kernel.db.selectFrom('audit_events').select('action').where('target', '=', id).where('action', '=', 'content.publish').execute();
    assert.equal(events.length, 1);
    assert.equal((await editor.get(`/api/content/${id}`)).body.content.status, 'published');
  });

  test('a webhook channel is delivered asynchronously, retried after a failure, and confirmed later', async () => {
    const got: any[] = [];
    const seen = new Set<string>();
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const parsed = JSON.parse(body);
        got.push({ headers: req.headers, body: parsed });
        // The platform is down the first time it sees an item.
        if (!seen.has(parsed.content.id)) {
          seen.add(parsed.content.id);
          return res.writeHead(503, { connection: 'close' }).end();
        }
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ id: 'wx-123' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      assert.equal((await editor.put('/api/publishing/channels', { webhooks: { wechat: { url } } })).status, 403);
      assert.equal((await ctx().admin.put('/api/publishing/channels', { webhooks: { wechat: { url, secret: 'a-very-long-shared-secret' } } })).status, 200);
      const id = await flow(draft({ title: '渠道分发', channels: ['website', 'wechat'] }));
      await editor.post(`/api/content/${id}/publish`);
      const jobs = ctx().kernel.jobs;
      await jobs.runOnce(20);
      let d = (await editor.get(`/api/content/${id}`)).body.deliveries.find((x: any) => x.channel === 'wechat');
      assert.equal(d.status, 'failed');
      assert.match(d.lastError, /503/);
      // The retry is due after the backoff.
      await ctx().kernel.db.updateTable('jobs').set({ run_at: new Date(0).toISOString() }).where('type', '=', 'publishing.deliver').where('status', '=', 'failed').execute();
      await jobs.runOnce(20);
      d = (await editor.get(`/api/content/${id}`)).body.deliveries.find((x: any) => x.channel === 'wechat');
      assert.equal(d.status, 'sent');
      assert.equal(d.externalId, 'wx-123');
      assert.equal(d.attempts, 2);
      const last = got.filter((g) => g.body.content.id === id).at(-1);
      assert.match(last.headers['x-frontline-signature'], /^sha256=[0-9a-f]{64}$/);
      assert.equal(last.body.export.format, 'html');
      assert.match(last.body.export.body, /style="/);
      assert.equal((await editor.post(`/api/publishing/deliveries/${d.id}/confirm`, { externalId: 'wx-123' })).status, 204);
      d = (await editor.get(`/api/content/${id}`)).body.deliveries.find((x: any) => x.channel === 'wechat');
      assert.equal(d.status, 'confirmed');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await ctx().admin.put('/api/publishing/channels', { webhooks: {} });
    }
  });

  test('channel exports: WeChat HTML with inline styles, Weibo within 2,000 characters, a TV script', async () => {
    const id = await flow(draft({ title: '导出测试', body: `<h2>一、要求</h2><p>${'居家防护'.repeat(700)}</p>` }));
    const wx = await editor.get(`/api/content/${id}/export/wechat`);
    assert.match(wx.body.body, /<h2 style="[^"]+">一、要求<\/h2>/);
    const wb = await editor.get(`/api/content/${id}/export/weibo`);
    assert.ok([...wb.body.body].length <= 2000);
    assert.match(wb.body.body, /^【导出测试】/);
    const tv = await editor.get(`/api/content/${id}/export/tv`);
    assert.match(tv.body.body, /^【电视口播稿】导出测试/);
  });

  test('first release: minutes from an event to its first publication per channel', async () => {
    const occurredAt = new Date(Date.now() - 30 * 60_000).toISOString();
    const ev = await editor.post('/api/publishing/events', { title: '首例确诊病例', occurredAt });
    assert.equal(ev.status, 201);
    const id = await flow(draft({ title: '首例确诊病例通告', eventId: ev.body.id, channels: ['website'] }));
    await editor.post(`/api/content/${id}/publish`);
    const fr = await editor.get('/api/publishing/first-release');
    const e = fr.body.events.find((x: any) => x.id === ev.body.id);
    assert.equal(e.channels[0].channel, 'website');
    assert.ok(e.firstMinutes >= 29 && e.firstMinutes <= 31, String(e.firstMinutes));
  });

  test('press conferences, outside coverage and counts for the work summary', async () => {
    const today = localDate(new Date(), 'Asia/Shanghai');
    assert.equal((await editor.post('/api/publishing/press-conferences', { title: '疫情防控新闻发布会', heldAt: new Date().toISOString(), place: '区政府新闻发布厅', speakers: ['区卫健委负责人'], topics: ['防控进展'] })).status, 201);
    for (const [outlet, level] of [['某日报', 'municipal'], ['华龙网', 'municipal'], ['某省电视台', 'provincial']]) {
      assert.equal((await editor.post('/api/publishing/coverage', { outlet, level, title: `${outlet}报道我区防控工作`, publishedOn: today })).status, 201);
    }
    const cov = await editor.get(`/api/publishing/coverage?from=${today}&to=${today}`);
    assert.equal(cov.body.total, 3);
    assert.deepEqual(cov.body.byLevel, { municipal: 2, provincial: 1 });
    const repost = await flow(draft({ title: '转发：国务院联防联控机制通知', isRepost: true, sourceName: '新华社', channels: ['website', 'app'] }));
    await editor.post(`/api/content/${repost}/publish`);
    const counts = await editor.get(`/api/publishing/counts?from=${today}&to=${today}`);
    assert.equal(counts.status, 200);
    assert.ok(counts.body.items >= 5);
    assert.equal(counts.body.reposts, 1);
    assert.equal(counts.body.originals, counts.body.items - 1);
    assert.equal(counts.body.byChannel.app, 1);
    assert.equal(counts.body.placements, Object.values(counts.body.byChannel as Record<string, number>).reduce((a, b) => a + b, 0));
    assert.equal(counts.body.pressConferences, 1);
  });

  test('images: real PNGs are stored and served with their type; disguised or oversized files are refused', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082', 'hex');
    const up = await editor.request('POST', '/api/media', undefined, { payload: png, headers: { 'content-type': 'image/png' } });
    assert.equal(up.status, 201);
    const served = await ctx().app.inject({ method: 'GET', url: up.body.url });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    const fake = await editor.request('POST', '/api/media', undefined, { payload: Buffer.from('<svg onload=alert(1)>'), headers: { 'content-type': 'image/png' } });
    assert.equal(fake.status, 415);
    const big = await editor.request('POST', '/api/media', undefined, { payload: Buffer.concat([png, Buffer.alloc(6 * 1024 * 1024)]), headers: { 'content-type': 'image/png' } });
    assert.equal(big.status, 413);
  });

  test('a live blog: timestamped entries, listed newest first, on the public page once published and at once after', async () => {
    const c = await editor.post('/api/content', draft({ kind: 'live', title: '新闻发布会图文直播', body: '<p>区疫情防控新闻发布会现场。</p>', channels: ['website'] }));
    const id = c.body.content.id;
    const t0 = Date.now() - 3600_000;
    const first = await editor.post(`/api/content/${id}/live`, { body: '<p>发布会开始，主持人介绍出席嘉宾。</p>', at: new Date(t0).toISOString() });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal((await editor.post(`/api/content/${id}/live`, { body: '<p>区卫健委负责人通报<strong>最新情况</strong>。</p>', at: new Date(t0 + 600_000).toISOString() })).status, 201);
    assert.equal((await editor.post(`/api/content/${id}/live`, { body: '<script>alert(1)</script>' })).status, 400, 'an entry with nothing left after sanitising');
    assert.equal((await reviewer.post(`/api/content/${id}/live`, { body: '<p>审核员不能写</p>' })).status, 403);
    const notLive = await editor.post('/api/content', draft({ title: '不是直播' }));
    assert.equal((await editor.post(`/api/content/${notLive.body.content.id}/live`, { body: '<p>条目</p>' })).status, 400);
    const list = await reviewer.get(`/api/content/${id}/live`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.entries.map((e: any) => e.body.replace(/<[^>]+>/g, '')), ['区卫健委负责人通报最新情况。', '发布会开始，主持人介绍出席嘉宾。']);
    assert.equal(list.body.entries[0].authorName, 'ed1');
    assert.equal((await reporter.get(`/api/content/${id}/live`)).status, 403);
    assert.equal((await ctx().anon.get(`/news/${id}`)).status, 404, 'a draft live blog is not public');
    await editor.post(`/api/content/${id}/submit`);
    await reviewer.post(`/api/content/${id}/approve`);
    await editor.post(`/api/content/${id}/publish`);
    let page = (await ctx().anon.get(`/news/${id}`)).body as string;
    assert.ok(page.indexOf('最新情况') < page.indexOf('发布会开始'), 'newest entry first');
    const etag = (await ctx().anon.get(`/news/${id}`)).headers.etag;
    assert.equal((await editor.post(`/api/content/${id}/live`, { body: '<p>记者提问：春节期间如何保障物资供应？</p>' })).status, 201);
    const after = await ctx().anon.request('GET', `/news/${id}`, undefined, { headers: { 'if-none-match': String(etag) } });
    assert.equal(after.status, 200, 'a new entry changes the page at once');
    page = after.body;
    assert.ok(page.indexOf('记者提问') < page.indexOf('最新情况'));
    assert.equal((await reviewer.get(`/api/content/${id}/live`)).body.entries.length, 3);
  });

  test('per-channel preview of unsaved text: the public page, WeChat inline styles, Weibo length against 2,000, a TV script', async () => {
    const input = { kind: 'notice', title: '预览测试', body: `<h2>一、要求</h2><p>请居民<strong>减少外出</strong>。</p>${XSS_PAYLOADS.join('')}`, theme: 'progress' };
    const web = await editor.post('/api/content/preview', { ...input, channel: 'website' });
    assert.equal(web.status, 200, JSON.stringify(web.body));
    assert.equal(web.body.format, 'html');
    assert.match(web.body.body, /<h1>预览测试<\/h1>/);
    assert.match(web.body.body, /预览：以下为发布后网站页面的样子/);
    assertInert(/<article>[\s\S]*<\/article>/.exec(web.body.body)![0], 'website preview');
    const wx = await editor.post('/api/content/preview', { ...input, channel: 'wechat' });
    assert.match(wx.body.body, /<h2 style="[^"]+">一、要求<\/h2>/);
    assertInert(wx.body.body, 'wechat preview');
    const wb = await editor.post('/api/content/preview', { ...input, channel: 'weibo' });
    assert.equal(wb.body.format, 'text');
    assert.equal(wb.body.limit, 2000);
    assert.equal(wb.body.truncated, false);
    assert.equal(wb.body.length, [...wb.body.body].length);
    assert.match(wb.body.body, new RegExp(`详情：${ctx().config.publicUrl}/news/[0-9a-f-]{36}$`), 'links to the public site, as the real export does');
    const long = await editor.post('/api/content/preview', { ...input, channel: 'weibo', body: `<p>${'居家防护'.repeat(700)}</p>` });
    assert.equal(long.body.truncated, true);
    assert.equal(long.body.length, 2000);
    const tv = await editor.post('/api/content/preview', { ...input, channel: 'tv', body: `<p>${'居家防护'.repeat(240)}</p>` });
    assert.match(tv.body.body, /^【电视口播稿】预览测试/);
    assert.equal(tv.body.minutes, 4);
    assert.equal((await reporter.post('/api/content/preview', { ...input, channel: 'website' })).status, 403);
    assert.equal((await editor.post('/api/content/preview', { ...input, channel: 'website', id: '00000000-0000-4000-8000-000000000000' })).status, 404);
    // A saved live blog previews with its entries.
    const live = await editor.post('/api/content', draft({ kind: 'live', title: '直播预览' }));
    await editor.post(`/api/content/${live.body.content.id}/live`, { body: '<p>直播第一条</p>' });
    const lp = await editor.post('/api/content/preview', { channel: 'website', kind: 'live', title: '直播预览', body: '<p>导语</p>', id: live.body.content.id });
    assert.match(lp.body.body, /class="live"[\s\S]*直播第一条/);
  });

  test('what the rich-text editor produces survives the allow-list: headings, lists, bold/italic, links, images, blockquote', async () => {
    const html =
      '<h2>一、总体要求</h2><h3>（一）防控重点</h3><p>请<strong>减少外出</strong>，<em>科学</em>佩戴口罩，<s>旧措施</s><u>新措施</u>。<br>第二行</p>' +
      '<ul><li><p>勤洗手</p></li><li><p>常通风</p></li></ul><ol><li><p>第一步</p></li></ol>' +
      '<blockquote><p>引自区疫情防控指挥部</p></blockquote><p><a href="https://www.example.gov.cn/notice">通告原文</a></p>' +
      '<img src="/media/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" alt="宣传海报"><hr>';
    const c = await editor.post('/api/content', draft({ title: '编辑器输出', body: html }));
    const stored = c.body.content.body as string;
    for (const part of ['<h2>一、总体要求</h2>', '<h3>（一）防控重点</h3>', '<strong>减少外出</strong>', '<em>科学</em>', '<s>旧措施</s>', '<u>新措施</u>', '<br />', '<ul><li><p>勤洗手</p></li>', '<ol><li><p>第一步</p></li></ol>', '<blockquote><p>引自区疫情防控指挥部</p></blockquote>', '<img src="/media/aaaaaaaa', 'alt="宣传海报"', '<hr />']) {
      assert.ok(stored.includes(part), `${part} in ${stored}`);
    }
    assert.match(stored, /<a href="https:\/\/www\.example\.gov\.cn\/notice" rel="noopener noreferrer nofollow">通告原文<\/a>/);
  });

  test('webhook endpoints: the secret is shown once, one active endpoint per channel, paused keeps deliveries pending, resume and retry send them', async () => {
    const got: Array<{ id: string; signature: string; raw: string }> = [];
    let down = true;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ id: JSON.parse(body).content.id, signature: String(req.headers['x-frontline-signature']), raw: body });
        if (down) return res.writeHead(502, { connection: 'close' }).end();
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"id":"app-1"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const admin = ctx().admin;
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      assert.equal((await editor.post('/api/publishing/webhooks', { url, channels: ['app'] })).status, 403);
      assert.equal((await editor.get('/api/publishing/webhooks')).status, 403);
      const made = await admin.post('/api/publishing/webhooks', { url, channels: ['app', 'mobile_paper'] });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const secret = made.body.secret as string;
      assert.match(secret, /^whsec_/);
      const hookId = made.body.webhook.id;
      const listed = await admin.get('/api/publishing/webhooks');
      assert.deepEqual(listed.body.webhooks.map((w: any) => ({ ...w, createdAt: 0, updatedAt: 0 })), [{ id: hookId, url, channels: ['app', 'mobile_paper'], paused: false, hasSecret: true, createdAt: 0, updatedAt: 0 }]);
      assert.ok(!JSON.stringify(listed.body).includes(secret), 'the secret is never shown again');
      const clash = await admin.post('/api/publishing/webhooks', { url: `${url}2`, channels: ['app'] });
      assert.equal(clash.status, 409);
      assert.match(clash.body.error.message, /客户端/);

      // Paused: the item's app delivery stays pending.
      assert.equal((await admin.patch(`/api/publishing/webhooks/${hookId}`, { paused: true })).body.webhook.paused, true);
      const id = await flow(draft({ title: '客户端推送', channels: ['website', 'app'] }));
      await editor.post(`/api/content/${id}/publish`);
      const jobs = ctx().kernel.jobs;
      await jobs.runOnce(50);
      const app = async () => (await editor.get(`/api/content/${id}`)).body.deliveries.find((x: any) => x.channel === 'app');
      assert.equal((await app()).status, 'pending');
      assert.equal(got.filter((g) => g.id === id).length, 0);

      // Resumed: pending deliveries of its channels go out; the platform is down, so it fails.
      assert.equal((await admin.patch(`/api/publishing/webhooks/${hookId}`, { paused: false })).status, 200);
      await jobs.runOnce(50);
      let d = await app();
      assert.equal(d.status, 'failed');
      assert.match(d.lastError, /502/);
      const sent = got.filter((g) => g.id === id).at(-1)!;
      const crypto = await import('node:crypto');
      assert.equal(sent.signature, `sha256=${crypto.createHmac('sha256', secret).update(sent.raw).digest('hex')}`, 'signed with the secret shown once');

      // 重试: the platform is back; a retry sends it now, whatever the backoff says.
      down = false;
      const failed = await editor.get('/api/publishing/deliveries?status=failed');
      assert.ok(failed.body.items.some((x: any) => x.id === d.id && x.contentTitle === '客户端推送'));
      assert.equal((await reporter.post(`/api/publishing/deliveries/${d.id}/retry`)).status, 403);
      const retried = await editor.post(`/api/publishing/deliveries/${d.id}/retry`);
      assert.equal(retried.status, 200, JSON.stringify(retried.body));
      assert.equal(retried.body.delivery.status, 'pending');
      assert.equal(retried.body.hasEndpoint, true);
      await jobs.runOnce(50);
      d = await app();
      assert.equal(d.status, 'sent');
      assert.equal(d.externalId, 'app-1');
      assert.equal((await editor.post(`/api/publishing/deliveries/${d.id}/retry`)).status, 409, 'nothing to retry once sent');
      const web = (await editor.get(`/api/content/${id}`)).body.deliveries.find((x: any) => x.channel === 'website');
      assert.equal((await editor.post(`/api/publishing/deliveries/${web.id}/retry`)).status, 409);

      assert.equal((await admin.delete(`/api/publishing/webhooks/${hookId}`)).status, 204);
      assert.equal((await admin.delete(`/api/publishing/webhooks/${hookId}`)).status, 404);
      assert.deepEqual((await admin.get('/api/publishing/webhooks')).body.webhooks, []);
      const events = await ctx().kernel.db.selectFrom('audit_events').select('action').where('action', 'like', 'publishing.webhook.%').execute();
      assert.deepEqual(new Set(events.map((e) => e.action)), new Set(['publishing.webhook.create', 'publishing.webhook.update', 'publishing.webhook.delete']));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await admin.put('/api/publishing/channels', { webhooks: {} });
    }
  });
});
