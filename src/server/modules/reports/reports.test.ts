import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import JSZip from 'jszip';
import { describeEachDb, type Client } from '../../testing/harness.ts';
import { localDate } from '../../kernel/time.ts';

const day = (n: number) => localDate(new Date(Date.now() - n * 86_400_000), 'Asia/Shanghai');

/** The seed's own figures for 一是强抓社会宣传, split over two villages and several days. */
const SEED: Record<string, number> = {
  billboards: 52, screens: 152, banners: 657, leaflets: 200_150, household_visits: 183_020, group_messages: 114_300,
  vehicle_trips: 639, loudspeakers: 697, broadcast_hours: 5_420, guides_printed: 100_000,
};
const SEED_SENTENCE =
  '共发布户外广告牌52块，各类电子显示屏152块，标语横幅657条，印制发布宣传单20万余张，入户宣传走访18.3万余次，以微信群、QQ群发信息11.4万余条，出动宣传车639台次，统筹利用小喇叭、流动音响697个，利用村村通广播宣传累计5420小时，印制《新型冠状病毒社区（村）防控行动指南》10万份。';

describeEachDb('reports', (ctx) => {
  let town: string, v1: string, v2: string, empty: string;
  let pub: Client & { userId: string };
  const from = day(20);
  const to = day(0);
  const md = async (orgId: string, f = from, t = to) => {
    const res = await pub.post('/api/reports/stage-summary', { orgId, from: f, to: t, format: 'markdown' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(String(res.headers['content-type']), /text\/markdown/);
    return res.body as string;
  };

  before(async () => {
    const c = ctx();
    town = await c.org(c.rootOrgId, 'township', '青山镇', 'QS');
    v1 = await c.org(town, 'village', '石桥村', 'QS01');
    v2 = await c.org(town, 'village', '柳湾村', 'QS02');
    empty = await c.org(c.rootOrgId, 'township', '白石镇', 'BS');
    await c.org(empty, 'village', '双河村', 'BS01');
    pub = await c.user(c.rootOrgId, ['publicity'], 'pub');
    // Split each seed figure over villages and days; values may exceed per-record maxima, so confirm those.
    const records = Object.entries(SEED).flatMap(([indicator, total]) => {
      const a = Math.floor(total / 4);
      return [
        { clientId: randomUUID(), orgId: v1, date: day(3), indicator, value: a },
        { clientId: randomUUID(), orgId: v2, date: day(5), indicator, value: a },
        { clientId: randomUUID(), orgId: v2, date: day(40), indicator, value: 1 }, // outside the period
        { clientId: randomUUID(), orgId: v1, date: day(1), indicator, value: total - 2 * a },
      ];
    });
    const res = await pub.post('/api/outreach/records', { records });
    assert.equal(res.status, 200);
    for (const r of res.body.results.filter((x: any) => x.review)) {
      assert.equal((await pub.post(`/api/outreach/records/${r.id}/review`, { decision: 'confirm' })).status, 200);
    }
  });

  test('the stage summary follows the seed\'s structure and writes the outreach sentence in its style', async () => {
    const text = await md(ctx().rootOrgId);
    assert.match(text, /^# 示例区疫情防控宣传工作阶段总结/);
    const order = ['一、高度重视，加强领导', '二、突出重点，压实责任', '一是强抓社会宣传，打通宣传“最后一公里”', SEED_SENTENCE, '三、下一步工作打算'];
    let at = -1;
    for (const s of order) {
      const i = text.indexOf(s);
      assert.ok(i > at, `“${s}” in order\n${text}`);
      at = i;
    }
    assert.match(text, /辖区3个村（社区）中，2个在本期报送了宣传台账，1个未报送，需督促补报。/);
    assert.ok(!text.includes('二是'), 'modules without data (news, opinion) are left out, not invented');
    assert.match(text, /【待补充/, 'leadership text without data is marked for the office to fill in');
  });

  test('only indicators with data appear; a subtree and period with none omits the section and says so', async () => {
    const text = await md(empty);
    assert.ok(!text.includes('一是'));
    assert.match(text, /本期各项工作暂无台账数据/);
    const old = await md(ctx().rootOrgId, day(45), day(30));
    assert.match(old, /共发布户外广告牌1块，各类电子显示屏1块/);
  });

  test('in HTML every number links to the records behind it', async () => {
    const res = await pub.post('/api/reports/stage-summary', { orgId: ctx().rootOrgId, from, to, format: 'html' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    const html = res.body as string;
    const link = new RegExp(`<a class="fig" href="/outreach/records\\?orgId=${ctx().rootOrgId}&amp;from=${from}&amp;to=${to}&amp;status=counted&amp;indicator=leaflets"[^>]*>20万余张</a>`);
    assert.match(html, link);
    assert.match(html, /<svg[\s\S]*<\/svg>/, 'the trend chart is inline SVG');
    assert.match(html, /<table>/);
    // Following the link's query lists records that add up to the figure.
    const list = await pub.get(`/api/outreach/records?orgId=${ctx().rootOrgId}&from=${from}&to=${to}&status=counted&indicator=leaflets&limit=500`);
    assert.equal(list.body.records.reduce((s: number, r: any) => s + r.value, 0), SEED.leaflets);
  });

  test('the Word file is laid out after GB/T 9704 and holds the title, headings, fonts, a table and a chart', async () => {
    const res = await ctx().app.inject({
      method: 'POST', url: '/api/reports/stage-summary', payload: { orgId: ctx().rootOrgId, from, to, format: 'docx' },
      headers: { cookie: (pub as any).cookie, 'x-csrf-token': (pub as any).csrf },
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-disposition']), /filename\*=UTF-8''.*\.docx/);
    const zip = await JSZip.loadAsync(res.rawPayload);
    const xml = await zip.file('word/document.xml')!.async('string');
    for (const s of ['示例区疫情防控宣传工作阶段总结', '一、高度重视，加强领导', '一是强抓社会宣传', '20万余张', '三、下一步工作打算']) assert.ok(xml.includes(s), s);
    for (const f of ['方正小标宋简体', '仿宋_GB2312', '黑体', '楷体_GB2312']) assert.ok(xml.includes(`w:eastAsia="${f}"`), f);
    assert.ok(/<w:pgSz w:w="11906" w:h="16838"/.test(xml), 'A4 page');
    assert.ok(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/.test(xml), 'GB/T 9704 margins 37/26/35/28 mm');
    assert.ok(/<w:sz w:val="32"\/>/.test(xml), 'body in 三号');
    assert.ok(/<w:tbl>/.test(xml), 'a table');
    assert.ok(Object.keys(zip.files).some((f) => /^word\/media\/.+\.png$/.test(f)), 'chart image embedded');
    const footers = await Promise.all(Object.keys(zip.files).filter((f) => /^word\/footer\d*\.xml$/.test(f)).map((f) => zip.file(f)!.async('string')));
    assert.ok(footers.some((x) => /PAGE/.test(x)), 'page numbers in the footer');
  });

  test('wording lives in versioned templates; bad templates are refused; previews are not archived', async () => {
    const t = await pub.get('/api/reports/templates/stage-summary');
    assert.equal(t.status, 200);
    assert.equal(t.body.version, 0);
    assert.ok(t.body.parts['outreach.body'].includes('{{#items}}'));
    const bad = await pub.put('/api/reports/templates/stage-summary', { parts: { 'outreach.heading': '{{#items}}未闭合' } });
    assert.equal(bad.status, 400);
    assert.equal((await pub.put('/api/reports/templates/stage-summary', { parts: { nosuch: 'x' } })).status, 400);
    const before = (await pub.get('/api/reports?limit=500')).body.reports.length;
    const preview = await pub.post('/api/reports/templates/stage-summary/preview', { orgId: ctx().rootOrgId, from, to, format: 'markdown', parts: { 'outreach.heading': '狠抓社会宣传' } });
    assert.equal(preview.status, 200);
    assert.match(preview.body, /一是狠抓社会宣传/);
    assert.equal((await pub.get('/api/reports?limit=500')).body.reports.length, before, 'preview not archived');
    const saved = await pub.put('/api/reports/templates/stage-summary', { parts: { 'outreach.heading': '狠抓社会宣传，打通“最后一公里”' }, note: '改措辞' });
    assert.deepEqual(saved.body, { name: 'stage-summary', version: 1 });
    assert.match(await md(ctx().rootOrgId), /一是狠抓社会宣传，打通“最后一公里”/);
    const versions = (await pub.get('/api/reports/templates/stage-summary')).body.versions;
    assert.equal(versions[0].note, '改措辞');
    await pub.put('/api/reports/templates/stage-summary', { parts: {}, note: '恢复默认' });
  });

  test('every generated report is archived with its parameters, as-of time and a content hash that matches', async () => {
    const res = await pub.post('/api/reports/stage-summary', { orgId: town, from, to, format: 'markdown' });
    const id = res.headers['x-report-id'];
    const list = (await pub.get('/api/reports?limit=5')).body.reports;
    const item = list.find((r: any) => r.id === id);
    assert.ok(item);
    assert.equal(item.orgId, town);
    assert.equal(item.from, from);
    assert.match(item.contentHash, /^[0-9a-f]{64}$/);
    const again = await pub.get(`/api/reports/${id}/content`);
    assert.equal(again.status, 200);
    assert.equal(again.body, res.body);
  });

  test('the daily brief reports the day, the last 30 days and the villages gone quiet', async () => {
    const res = await pub.post('/api/reports/daily-brief', { orgId: ctx().rootOrgId, date: day(1), format: 'markdown' });
    assert.equal(res.status, 200);
    const text = res.body as string;
    assert.match(text, /社会宣传工作日报/);
    assert.match(text, /辖区共户外广告牌\d+块/);
    assert.match(text, /近30日（.+）累计：户外广告牌52块/);
    assert.match(text, /未报送单位：双河村（白石镇）/);
  });

  test('once news has been published, 二是实抓新闻宣传 follows 一是 with channels, reposts, press conferences and coverage', async () => {
    const c = ctx();
    const media = await c.org(c.rootOrgId, 'media', '区融媒体中心');
    const editor = await c.user(media, ['editor'], 'rep_editor');
    const reviewer = await c.user(media, ['reviewer'], 'rep_reviewer');
    for (const [title, channels, isRepost] of [['通告一', ['website', 'wechat'], false], ['转发通知', ['website'], true]] as const) {
      const created = await editor.post('/api/content', { kind: 'notice', title, body: '<p>正文</p>', theme: 'progress', channels, ...(isRepost ? { isRepost: true, sourceName: '新华社' } : {}) });
      const id = created.body.content.id;
      await editor.post(`/api/content/${id}/submit`);
      await reviewer.post(`/api/content/${id}/approve`);
      assert.equal((await editor.post(`/api/content/${id}/publish`)).body.content.status, 'published');
    }
    assert.equal((await editor.post('/api/publishing/press-conferences', { title: '新闻发布会', heldAt: new Date().toISOString(), place: '区政府', speakers: [], topics: [] })).status, 201);
    for (const outlet of ['某日报', '华龙网']) await editor.post('/api/publishing/coverage', { outlet, level: 'municipal', title: `${outlet}报道`, publishedOn: day(1) });
    const text = await md(ctx().rootOrgId);
    const a = text.indexOf('一是强抓社会宣传');
    const b = text.indexOf('二是实抓新闻宣传，全面权威报道疫情防控工作');
    assert.ok(a > 0 && b > a, text);
    assert.match(text, /在网站、微信等平台累计刊发转发相关信息3条次，其中转发1条。召开新闻发布会1场，权威发声、回应关切。对接(某日报、华龙网|华龙网、某日报)等媒体报道2条（市级2条）。/);
  });

  test('only publicity staff in scope generate reports', async () => {
    const reporter = await ctx().user(v1, ['reporter']);
    assert.equal((await reporter.post('/api/reports/stage-summary', { orgId: v1, from, to, format: 'markdown' })).status, 403);
    const townPub = await ctx().user(empty, ['publicity']);
    assert.equal((await townPub.post('/api/reports/stage-summary', { orgId: town, from, to, format: 'markdown' })).status, 403);
    assert.equal((await pub.post('/api/reports/stage-summary', { orgId: town, from: to, to: from, format: 'markdown' })).status, from === to ? 200 : 400);
  });
});
