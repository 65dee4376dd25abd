import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDb, USER_PASSWORD, type Client, type TestContext } from '../../testing/harness.ts';
import { localDate } from '../../kernel/time.ts';
import { deleteExpiredPreviews, PREVIEW_TTL_MS } from './outreach.imports.service.ts';
import { eachRecord, recordChunks, type DataRow } from './outreach.imports.records.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const today = () => localDate(new Date(), 'Asia/Shanghai');
const daysAgo = (n: number) => localDate(new Date(Date.now() - n * 86_400_000), 'Asia/Shanghai');
const HEADER = ['单位编码', '单位名称', '日期', '标语横幅（条）', '宣传单（张）', '村村通广播（小时）', '入户宣传走访（次）', '备注'];

/** A workbook shaped like the template: sheet 填报 with a header row and the given rows. */
async function sheet(rows: unknown[][], header = HEADER): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('填报');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);
}
const asDate = (d: string) => new Date(`${d}T00:00:00Z`);

/** A raw session for binary requests and responses (the harness Client decodes bodies as text). */
interface Raw {
  send(method: 'GET' | 'POST', url: string, payload?: Buffer | string, contentType?: string): Promise<LightMyRequestResponse>;
  json(res: LightMyRequestResponse): any;
}
async function rawSession(ctx: TestContext, username: string): Promise<Raw> {
  const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: USER_PASSWORD } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const csrf = JSON.parse(login.body).csrfToken as string;
  return {
    send: (method, url, payload, contentType) =>
      ctx.app.inject({
        method,
        url,
        headers: { cookie, ...(method === 'POST' ? { 'x-csrf-token': csrf } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
        ...(payload !== undefined ? { payload } : {}),
      }),
    json: (res) => JSON.parse(res.body),
  };
}

test('import records: clientIds number identical tuples in file order; chunks are exact, in the given order, with review decisions', () => {
  const data: DataRow[] = [
    [0, '2026-03-01', null, 5, null, 2],
    [1, '2026-03-02', '备注 "引号"', null, 7, null],
    [0, '2026-03-01', null, 5, 1, 2], // the same (org, date, note) again: banners 5 and visits 2 repeat
    [0, '2026-03-01', '另一条', 5, null, null], // another note: another tuple
  ];
  const p = { indicators: ['visits', 'banners', 'leaflets'], orgs: ['org-a', 'org-b'], data };
  const ids: string[][] = [[], [], [], []];
  eachRecord(p, (r, _slot, _v, clientId) => ids[r]!.push(clientId));
  assert.deepEqual(ids.map((x) => x.length), [2, 1, 3, 1]);
  assert.ok(ids.flat().every((id) => /^imp:[0-9a-f]{64}:[01]$/.test(id)));
  const [leaflets0, visits0] = ids[0]!; // within a row, indicators in code order: banners, leaflets, visits
  assert.deepEqual([ids[2]![1], ids[2]![2]], [leaflets0!.replace(/:0$/, ':1'), visits0!.replace(/:0$/, ':1')], 'a repeated tuple is its second occurrence');
  assert.match(ids[2]![0]!, /:0$/, 'a new value in a repeated row is a first occurrence');
  assert.notEqual(ids[3]![0]!.slice(0, -2), visits0!.slice(0, -2), 'the note is part of the tuple');

  const chunks = [...recordChunks({ ...p, order: [3, 2, 1, 0], reasons: [[1 * 3 + 1, '超过单条合理上限']], chunkSize: 3 })];
  assert.deepEqual(chunks.map((c) => c.count), [3, 3, 1]);
  const rows = chunks.flatMap((c) => JSON.parse(c.json));
  assert.deepEqual(rows.map((r: any[]) => r[0]), [...ids[3]!, ...ids[2]!, ...ids[1]!, ...ids[0]!]);
  assert.deepEqual(rows[1], [ids[2]![0], 'org-a', '2026-03-01', 'banners', 100, null, 'counted', null]);
  assert.deepEqual(rows[3].slice(1), ['org-a', '2026-03-01', 'visits', 500, null, 'counted', null]);
  assert.deepEqual(rows[4].slice(1), ['org-b', '2026-03-02', 'banners', 700, '备注 "引号"', 'pending_review', '超过单条合理上限']);
  assert.deepEqual([...recordChunks({ ...p, data: [], order: [], reasons: [], chunkSize: 3 })], [{ json: '[]', count: 0 }]);
});

describeEachDb('outreach Excel round-trip', (ctx) => {
  let townA: string, villA1: string, villA2: string, commA3: string, townB: string, villB1: string;
  let pubA: Client & { userId: string };
  let rawA: Raw, rawReporter: Raw, rawB: Raw;
  let district: Client;
  const from = daysAgo(60);
  const to = today();
  const totalsOf = async (org: string) => (await district.get(`/api/outreach/totals?orgId=${org}&from=${from}&to=${to}`)).body.totals;
  const upload = async (raw: Raw, orgId: string, body: Buffer, fileName = '台账.xlsx') => {
    const res = await raw.send('POST', `/api/outreach/imports?orgId=${orgId}&fileName=${encodeURIComponent(fileName)}`, body, XLSX);
    return { status: res.statusCode, body: raw.json(res) };
  };

  before(async () => {
    const c = ctx();
    townA = await c.org(c.rootOrgId, 'township', '青山镇', 'QS');
    villA1 = await c.org(townA, 'village', '石桥村', 'QS01');
    villA2 = await c.org(townA, 'village', '柳湾村', 'QS02');
    commA3 = await c.org(townA, 'community', '新苑社区');
    townB = await c.org(c.rootOrgId, 'township', '白石镇', 'BS');
    villB1 = await c.org(townB, 'village', '双河村', 'BS01');
    pubA = await c.user(townA, ['publicity'], 'xl_pub_a');
    await c.user(villA1, ['reporter'], 'xl_rep_a1');
    await c.user(townB, ['publicity'], 'xl_pub_b');
    district = await c.user(c.rootOrgId, ['publicity'], 'xl_pub_d');
    rawA = await rawSession(c, 'xl_pub_a');
    rawReporter = await rawSession(c, 'xl_rep_a1');
    rawB = await rawSession(c, 'xl_pub_b');
  });

  test('the template has the header, one row per village or community, an org sheet, instructions and data validation', async () => {
    const res = await rawA.send('GET', `/api/outreach/template?orgId=${townA}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], XLSX);
    const disposition = String(res.headers['content-disposition']);
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1]!;
    assert.equal(decodeURIComponent(encoded), '宣传台账填报模板-青山镇.xlsx');
    assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"/);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    assert.deepEqual(wb.worksheets.map((w) => w.name), ['填报', '单位', '说明']);
    const ws = wb.getWorksheet('填报')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    assert.deepEqual(header.slice(0, 4), ['单位编码', '单位名称', '日期', '户外广告牌（块）']);
    assert.ok(header.includes('标语横幅（条）') && header.includes('村村通广播（小时）'));
    assert.equal(header.at(-1), '备注');
    assert.equal(header.length, 3 + 10 + 1);
    assert.equal(ws.getRow(1).font?.bold, true);
    assert.equal((ws.views[0] as { state: string }).state, 'frozen');

    const units = [2, 3, 4].map((r) => [ws.getCell(`A${r}`).value, ws.getCell(`B${r}`).value]);
    assert.deepEqual(units.sort(), [[commA3, '新苑社区'], ['QS01', '石桥村'], ['QS02', '柳湾村']].sort(), 'a unit without a code is named by its id');
    assert.equal(ws.getCell('A5').value, null, 'only villages and communities, not the township itself');

    const codeRule = ws.getCell('A2').dataValidation;
    assert.equal(codeRule.type, 'list');
    assert.match(String(codeRule.formulae[0]), /单位/);
    assert.equal(ws.getCell('C2').dataValidation.type, 'date');
    const colOf = (title: string) => header.indexOf(title) + 1;
    const banners = ws.getCell(2, colOf('标语横幅（条）')).dataValidation;
    assert.equal(banners.type, 'whole');
    assert.equal(banners.operator, 'greaterThanOrEqual');
    assert.equal(banners.formulae[0], 0);
    assert.equal(ws.getCell(2, colOf('村村通广播（小时）')).dataValidation.type, 'decimal', 'a decimal indicator allows decimals');

    const orgSheet = wb.getWorksheet('单位')!;
    const codes = orgSheet.getColumn(1).values.slice(2);
    assert.deepEqual([...codes].sort(), ['QS', 'QS01', 'QS02', commA3].sort());
    assert.match(String(wb.getWorksheet('说明')!.getCell('A1').value), /填报模板/);
  });

  test('a filled-in template uploads as a preview: nothing is counted until confirmed', async () => {
    const res = await rawA.send('GET', `/api/outreach/template?orgId=${townA}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('填报')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const colOf = (title: string) => header.indexOf(title) + 1;
    const qs01 = [2, 3, 4].find((r) => ws.getCell(`A${r}`).value === 'QS01')!;
    ws.getCell(qs01, 3).value = asDate(daysAgo(5));
    ws.getCell(qs01, colOf('防控行动指南（份）')).value = 120;
    ws.getCell(qs01, colOf('村村通广播（小时）')).value = 2.5;
    const filled = Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);

    const before = await totalsOf(townA);
    const up = await upload(rawA, townA, filled, '青山镇-模板.xlsx');
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.import.status, 'preview');
    assert.equal(up.body.import.fileName, '青山镇-模板.xlsx');
    assert.deepEqual(up.body.import.summary, { rows: 1, records: 2, errors: 0, duplicates: 0 });
    assert.deepEqual(up.body.import.rows[0], {
      row: qs01, orgCode: 'QS01', orgName: '石桥村', date: daysAgo(5), values: { broadcast_hours: 2.5, guides_printed: 120 }, errors: [],
    });
    assert.deepEqual(await totalsOf(townA), before, 'a preview stores no records');

    const again = await pubA.get(`/api/outreach/imports/${up.body.import.id}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.import.summary, up.body.import.summary);

    const ok = await pubA.post(`/api/outreach/imports/${up.body.import.id}/confirm`);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { created: 2, duplicates: 0, review: 0 });
    const after = await totalsOf(townA);
    assert.equal(after.guides_printed - before.guides_printed, 120);
    assert.equal(Math.round((after.broadcast_hours - before.broadcast_hours) * 10), 25);
  });

  test('bad rows are listed with row, column and a Chinese reason; nothing is stored and confirm is refused', async () => {
    const d = asDate(daysAgo(3));
    const file = await sheet([
      ['QS01', '石桥村', d, 5, 100, null, 10, ''],
      ['QS99', '不存在村', d, 1, null, null, null, ''],
      ['QS02', '柳湾村', d, -3, null, null, null, ''],
      ['QS02', '柳湾村', asDate('2099-01-01'), 1, null, null, null, ''],
      ['QS02', '柳湾村', d, null, 2.5, 1.25, null, ''],
      ['BS01', '双河村', d, 1, null, null, null, ''],
      ['QS01', '石桥村', d, '很多', null, null, null, ''],
      ['QS01', '石桥村', '2026-02-30', 1, null, null, null, ''],
      ['QS01', '石桥村', d, null, null, null, null, '只有备注，没有数据：跳过'],
    ]);
    const before = await totalsOf(townA);
    const up = await upload(rawA, townA, file);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const imp = up.body.import;
    assert.equal(imp.summary.rows, 8);
    assert.equal(imp.summary.records, 3, 'only the good row makes records');
    assert.equal(imp.summary.errors, 8);
    const byRow = Object.fromEntries(imp.rows.map((r: any) => [r.row, r.errors]));
    assert.deepEqual(byRow[2], []);
    const expect: Array<[number, string, RegExp]> = [
      [3, '单位编码', /未知的单位编码：QS99/],
      [4, '标语横幅（条）', /不能为负数/],
      [5, '日期', /晚于今天/],
      [6, '宣传单（张）', /宣传单应为整数/],
      [6, '村村通广播（小时）', /最多保留 1 位小数/],
      [7, '单位编码', /双河村.*不在青山镇管辖范围内/],
      [8, '标语横幅（条）', /应为数字/],
      [9, '日期', /日期无效/],
    ];
    for (const [row, column, reason] of expect) {
      assert.ok(byRow[row]?.some((e: any) => e.column === column && reason.test(e.reason)), `row ${row} ${column}: ${JSON.stringify(byRow[row])}`);
    }
    assert.equal(byRow[4][0].cell, 'D4');
    assert.equal(byRow[10], undefined, 'a row without any value is skipped');
    assert.deepEqual(await totalsOf(townA), before);
    const refused = await pubA.post(`/api/outreach/imports/${imp.id}/confirm`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'conflict');
    assert.equal(refused.body.error.message, '请先修正错误后重新上传');
    assert.deepEqual(await totalsOf(townA), before);
  });

  test('a clean file adds exactly its sums; the same file again (confirm or re-upload) counts nothing twice', async () => {
    const rows: unknown[][] = [];
    const sums: Record<string, number> = { banners: 0, leaflets: 0, broadcast_hours: 0, household_visits: 0 };
    for (let i = 0; i < 40; i++) {
      const vals = [i % 4, 100 + i, i % 3 === 0 ? 1.5 : null, 7];
      rows.push([i % 2 ? 'QS01' : 'qs02', '', i % 5 === 0 ? `${daysAgo(10 + (i % 7)).replace(/-0?/g, '/')}` : asDate(daysAgo(10 + (i % 7))), ...vals, i % 6 === 0 ? '入户走访' : null]);
      sums.banners += vals[0]!;
      sums.leaflets += vals[1]!;
      sums.broadcast_hours += (vals[2] as number | null) ?? 0;
      sums.household_visits += vals[3]!;
    }
    // The same line twice in one file is two reports, both counted.
    rows.push(['QS01', '', asDate(daysAgo(20)), 3, null, null, null, '同一行两次']);
    rows.push(['QS01', '', asDate(daysAgo(20)), 3, null, null, null, '同一行两次']);
    sums.banners += 6;
    // Numbers typed as text, a code-less community by its id.
    rows.push([commA3, '', daysAgo(21), '12', ' 1,000 ', null, null, null]);
    sums.banners += 12;
    sums.leaflets += 1000;
    const records = 40 * 3 + 14 + 2 + 2;
    const file = await sheet(rows);

    const before = await totalsOf(townA);
    const up = await upload(rawA, townA, file);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual(up.body.import.summary, { rows: 43, records, errors: 0, duplicates: 0 });
    const ok = await pubA.post(`/api/outreach/imports/${up.body.import.id}/confirm`);
    assert.deepEqual(ok.body, { created: records, duplicates: 0, review: 0 });
    const after = await totalsOf(townA);
    for (const [code, sum] of Object.entries(sums)) assert.equal(Math.round((after[code] - before[code]) * 100), Math.round(sum * 100), code);
    const village = await totalsOf(commA3);
    assert.ok(village.leaflets >= 1000);

    const done = (await pubA.get(`/api/outreach/imports/${up.body.import.id}`)).body.import;
    assert.equal(done.status, 'confirmed');
    assert.ok(done.confirmedAt);
    assert.deepEqual(done.result, { created: records, duplicates: 0, review: 0 });
    const twice = await pubA.post(`/api/outreach/imports/${up.body.import.id}/confirm`);
    assert.equal(twice.status, 409, 'an import is confirmed once');

    const reup = await upload(rawA, townA, file);
    assert.equal(reup.body.import.summary.duplicates, records, 'the preview says everything is already stored');
    const re = await pubA.post(`/api/outreach/imports/${reup.body.import.id}/confirm`);
    assert.deepEqual(re.body, { created: 0, duplicates: records, review: 0 });
    assert.deepEqual(await totalsOf(townA), after);

    const imported = await pubA.get(`/api/outreach/records?orgId=${commA3}&limit=5`);
    assert.ok(imported.body.records.every((r: any) => r.source === 'import' && /^imp:[0-9a-f]{64}:\d+$/.test(r.clientId)));
    const auditor = await ctx().user(ctx().rootOrgId, ['auditor']);
    const actions = (await auditor.get('/api/audit?limit=100&action=outreach.import')).body.events.map((e: any) => e.action);
    assert.ok(actions.includes('outreach.import.preview') && actions.includes('outreach.import.confirm'));
  });

  test('a file overlapping an earlier import adds only its new records: preview, result, totals, roll-ups and the audit event agree', async () => {
    const d = (n: number) => asDate(daysAgo(30 + n));
    const first = [
      ['QS01', '', d(1), 1, 10, null, null, '第一批'],
      ['QS02', '', d(2), 2, 20, 0.5, null, '第一批'],
      ['QS01', '', d(3), null, null, null, 4, '第一批'],
    ];
    const extra = [
      ['QS01', '', d(1), 1, 10, null, null, '第一批'], // the same line once more in the file: a second report
      ['QS02', '', d(4), 5, null, null, 6, '第二批'],
    ];
    const before = await totalsOf(townA);
    const one = await upload(rawA, townA, await sheet(first));
    assert.equal((await pubA.post(`/api/outreach/imports/${one.body.import.id}/confirm`)).status, 200);
    const mid = await totalsOf(townA);
    assert.equal(mid.banners - before.banners, 3);
    assert.equal(Math.round((mid.broadcast_hours - before.broadcast_hours) * 10), 5);

    const two = await upload(rawA, townA, await sheet([...first, ...extra]));
    assert.deepEqual(two.body.import.summary, { rows: 5, records: 10, errors: 0, duplicates: 6 });
    const res = await rawA.send('POST', `/api/outreach/imports/${two.body.import.id}/confirm`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(rawA.json(res), { created: 4, duplicates: 6, review: 0 });
    assert.match(String(res.headers['server-timing']), /insert;dur=[\d.]+.*commit;dur=[\d.]+/, 'confirm reports its phases');
    const after = await totalsOf(townA);
    assert.equal(after.banners - mid.banners, 6);
    assert.equal(after.leaflets - mid.leaflets, 10);
    assert.equal(after.household_visits - mid.household_visits, 6);
    assert.equal(after.broadcast_hours, mid.broadcast_hours);
    // The roll-ups of a village, its township and the district moved by the same amounts.
    const village = (await district.get(`/api/outreach/totals?orgId=${villA2}&from=${daysAgo(40)}&to=${daysAgo(30)}`)).body.totals;
    assert.equal(village.banners, 7);
    assert.equal(village.household_visits, 6);
    const root = await totalsOf(ctx().rootOrgId);
    assert.equal(root.banners - before.banners, 9 + (root.banners - after.banners), 'the district includes the township');

    const auditor = await ctx().user(ctx().rootOrgId, ['auditor']);
    const events = (await auditor.get('/api/audit?limit=50&action=outreach.import.confirm')).body.events;
    const ev = events.find((e: any) => e.target === two.body.import.id);
    assert.ok(ev, 'one audit event per chunk');
    assert.equal(ev.detail.created, 4);
    assert.equal(ev.detail.duplicate, 6);
    const ids = (await pubA.get(`/api/outreach/records?orgId=${townA}&limit=20`)).body.records.filter((r: any) => r.id >= ev.detail.firstId && r.id <= ev.detail.lastId);
    assert.equal(ids.length, 4, 'firstId…lastId spans exactly the new records');
  });

  test('values far above the unit\'s own history or above the plausible maximum are held for review, the rest count', async () => {
    // Kept before the exports' 60 days, whose test compares listed records with totals.
    const window = async () => (await district.get(`/api/outreach/totals?orgId=${townA}&from=${daysAgo(100)}&to=${daysAgo(80)}`)).body.totals;
    // A history of six ordinary days for a new village: 10 leaflets each; another has no history.
    const steady = await ctx().org(townA, 'village', '老实村', 'QS08');
    await ctx().org(townA, 'village', '新建村', 'QS09');
    const history = Array.from({ length: 6 }, (_, i) => ({ clientId: randomUUID(), orgId: steady, date: daysAgo(90 + i), indicator: 'leaflets', value: 10 }));
    assert.equal((await pubA.post('/api/outreach/records', { records: history })).status, 200);
    const before = await window();
    const file = await sheet(
      [
        ['QS08', '', asDate(daysAgo(85)), null, 5000, null, null, '远高于平时'],
        ['QS08', '', asDate(daysAgo(86)), null, 60, null, null, '略高，照常计入'],
        ['QS09', '', asDate(daysAgo(85)), null, 5000, null, null, '没有历史的村'],
        ['QS01', '', asDate(daysAgo(85)), 600, null, null, null, '超过单条上限'],
      ],
      ['单位编码', '单位名称', '日期', '标语横幅（条）', '宣传单（张）', '村村通广播（小时）', '入户宣传走访（次）', '备注'],
    );
    const up = await upload(rawA, townA, file);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const ok = await pubA.post(`/api/outreach/imports/${up.body.import.id}/confirm`);
    assert.deepEqual(ok.body, { created: 4, duplicates: 0, review: 2 });
    const after = await window();
    assert.equal(after.leaflets - before.leaflets, 5060, 'held records are not counted');
    assert.equal(after.banners, before.banners);
    const held = (await pubA.get(`/api/outreach/records?orgId=${townA}&from=${daysAgo(100)}&to=${daysAgo(80)}&status=pending_review&limit=50`)).body.records.filter((r: any) => r.source === 'import');
    const reasons = held.map((r: any) => [r.orgId, r.indicator, r.value, r.reviewReason]);
    assert.ok(reasons.some(([org, ind, v, why]: any) => org === steady && ind === 'leaflets' && v === 5000 && /远高于本单位近期水平（中位数 10张）/.test(why)), JSON.stringify(reasons));
    assert.ok(reasons.some(([org, ind, v, why]: any) => org === villA1 && ind === 'banners' && v === 600 && /超过单条合理上限 500条/.test(why)), JSON.stringify(reasons));
  });

  test('unconfirmed previews are deleted after 24 hours by the housekeeping job; confirmed imports and fresh previews stay', async () => {
    const k = ctx().kernel;
    const file = async (n: number) => sheet([['QS01', '', asDate(daysAgo(70 + n)), n, null, null, null, `清理-${n}`]]);
    const stale = (await upload(rawA, townA, await file(1))).body.import.id;
    const fresh = (await upload(rawA, townA, await file(2))).body.import.id;
    const done = (await upload(rawA, townA, await file(3))).body.import.id;
    assert.equal((await pubA.post(`/api/outreach/imports/${done}/confirm`)).status, 200);
    const old = new Date(Date.now() - PREVIEW_TTL_MS - 60_000).toISOString();
    await k.db.updateTable('outreach_imports').set({ created_at: old }).where('id', 'in', [stale, done]).execute();
    assert.ok((await deleteExpiredPreviews(k)) >= 1);
    assert.equal((await pubA.get(`/api/outreach/imports/${stale}`)).status, 404);
    assert.equal((await pubA.post(`/api/outreach/imports/${stale}/confirm`)).status, 404);
    assert.equal((await pubA.get(`/api/outreach/imports/${fresh}`)).status, 200);
    assert.equal((await pubA.get(`/api/outreach/imports/${done}`)).body.import.status, 'confirmed');
    assert.equal(await deleteExpiredPreviews(k), 0, 'nothing left to delete');
    const auditor = await ctx().user(ctx().rootOrgId, ['auditor']);
    assert.ok((await auditor.get('/api/audit?limit=20&action=outreach.import.expire')).body.events.length >= 1);
  });

  test('exports (children, days, records) parse back with the same totals; CSV has a BOM, CRLF and the header', async () => {
    const t = (await district.get(`/api/outreach/totals?orgId=${townA}&from=${from}&to=${to}&groupBy=child`)).body;
    const res = await rawA.send('GET', `/api/outreach/export?orgId=${townA}&from=${from}&to=${to}&view=children&format=xlsx`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], XLSX);
    assert.match(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(String(res.headers['content-disposition']))![1]!), /^宣传台账-青山镇-按下级-.*\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    assert.deepEqual(header.slice(0, 2), ['单位编码', '单位名称']);
    const col = (title: string) => header.indexOf(title) + 1;
    const last = ws.getRow(ws.actualRowCount);
    assert.equal(last.getCell(2).value, '合计');
    assert.equal(last.getCell(col('标语横幅（条）')).value, t.totals.banners);
    assert.equal(last.getCell(col('宣传单（张）')).value, t.totals.leaflets);
    const byName: Record<string, number> = {};
    for (let r = 2; r < ws.actualRowCount; r++) byName[String(ws.getRow(r).getCell(2).value)] = Number(ws.getRow(r).getCell(col('宣传单（张）')).value);
    for (const c of t.children) assert.equal(byName[c.name], c.totals.leaflets, c.name);

    const days = await rawA.send('GET', `/api/outreach/export?orgId=${townA}&from=${from}&to=${to}&view=days&format=xlsx`);
    const dwb = new ExcelJS.Workbook();
    await dwb.xlsx.load(days.rawPayload as unknown as ExcelJS.Buffer);
    const dws = dwb.worksheets[0]!;
    const dHeader = (dws.getRow(1).values as unknown[]).slice(1) as string[];
    let leaflets = 0;
    for (let r = 2; r < dws.actualRowCount; r++) leaflets += Number(dws.getRow(r).getCell(dHeader.indexOf('宣传单（张）') + 1).value);
    assert.equal(leaflets, t.totals.leaflets);
    assert.equal(dws.actualRowCount, 2 + 61, 'one row per day plus header and totals');

    const csv = await rawA.send('GET', `/api/outreach/export?orgId=${townA}&from=${from}&to=${to}&view=records&format=csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const bytes = csv.rawPayload;
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.startsWith('记录编号,单位编码,单位名称,日期,指标,数值,备注,状态,核实说明,来源,填报人,填报时间\r\n'));
    const lines = text.split('\r\n').filter(Boolean).slice(1);
    const sumLeaflets = lines.filter((l) => l.includes(',宣传单（张）,')).reduce((s, l) => s + Number(l.split(',')[5]), 0);
    assert.equal(sumLeaflets, t.totals.leaflets, 'the records add up to the totals');

    const childrenCsv = await rawA.send('GET', `/api/outreach/export?orgId=${townA}&from=${from}&to=${to}&view=children&format=csv`);
    const csvLines = childrenCsv.rawPayload.subarray(3).toString('utf8').split('\r\n');
    assert.match(csvLines[0]!, /^单位编码,单位名称,户外广告牌（块）/);
    assert.match(csvLines.at(-2)!, /^,合计,/);
  });

  test('cells as spreadsheets store them: formula results, rich text, text dates, serial day numbers, codes as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('其他').addRow(['无关的表']);
    const ws = wb.addWorksheet('填报');
    ws.addRow(['说明：本表由乡镇汇总']);
    ws.addRow(HEADER);
    const day = daysAgo(7);
    const serial = Date.parse(`${day}T00:00:00Z`) / 86_400_000 + 25569;
    ws.addRow([{ richText: [{ text: 'QS' }, { font: { bold: true }, text: '01' }] }, '', day, { formula: '2+3', result: 5 }, null, null, null, '公式']);
    ws.addRow(['QS02', '', serial, null, 40, null, null, 'A&B <备注>']);
    ws.addRow(['QS02', '', `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月${Number(day.slice(8))}日`, 2, null, null, null, null]);
    const up = await upload(rawA, townA, Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer));
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const rows = up.body.import.rows;
    assert.deepEqual(rows.map((r: any) => [r.row, r.orgCode, r.date, r.values, r.errors.length]), [
      [3, 'QS01', day, { banners: 5 }, 0],
      [4, 'QS02', day, { leaflets: 40 }, 0],
      [5, 'QS02', day, { banners: 2 }, 0],
    ], 'the header may sit below a title row; row numbers are the sheet\'s');
  });

  test('an unfilled template is refused (nothing to import)', async () => {
    const res = await rawA.send('GET', `/api/outreach/template?orgId=${townA}`);
    const up = await upload(rawA, townA, res.rawPayload);
    assert.equal(up.status, 400);
    assert.match(up.body.error.message, /没有填写任何数据/);
  });

  test('a body that is not an .xlsx is 400 with a Chinese message; a wrong header is 400 with the column', async () => {
    const notXlsx = await upload(rawA, townA, Buffer.from('单位编码,日期\nQS01,2026-01-01\n'));
    assert.equal(notXlsx.status, 400);
    assert.equal(notXlsx.body.error.code, 'invalid_input');
    assert.match(notXlsx.body.error.message, /不是有效的 Excel 文件/);
    const zipish = await upload(rawA, townA, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]));
    assert.equal(zipish.status, 400);
    assert.match(zipish.body.error.message, /不是有效的 Excel 文件/);
    const empty = await upload(rawA, townA, Buffer.alloc(0));
    assert.equal(empty.status, 400);
    const json = await rawA.send('POST', `/api/outreach/imports?orgId=${townA}`, '{"rows":[]}', 'application/json');
    assert.equal(json.statusCode, 400);
    const noSheet = await upload(rawA, townA, await sheet([['x']], ['名字', '数量']));
    assert.equal(noSheet.status, 400);
    assert.match(noSheet.body.error.message, /单位编码/);
    const badHeader = await upload(rawA, townA, await sheet([['QS01', '', asDate(daysAgo(1)), 1]], ['单位编码', '单位名称', '日期', '标语横幅（条）', '自创指标（个）']));
    assert.equal(badHeader.status, 400);
    assert.equal(badHeader.body.error.details[0].column, '自创指标（个）');
    assert.match(badHeader.body.error.details[0].reason, /不认识的列/);
  });

  test('reporters may not download templates or import (403); another township is out of scope', async () => {
    assert.equal((await rawReporter.send('GET', `/api/outreach/template?orgId=${villA1}`)).statusCode, 403);
    const up = await upload(rawReporter, villA1, await sheet([['QS01', '', asDate(daysAgo(1)), 1]]));
    assert.equal(up.status, 403);
    assert.equal(up.body.error.code, 'forbidden');
    assert.equal((await rawReporter.send('GET', `/api/outreach/export?orgId=${villA1}&from=${from}&to=${to}&view=records&format=csv`)).statusCode, 200, 'reporters may export their own village');
    assert.equal((await rawB.send('GET', `/api/outreach/template?orgId=${townA}`)).statusCode, 403);
    assert.equal((await upload(rawB, townA, await sheet([]))).status, 403);
    assert.equal((await rawB.send('GET', `/api/outreach/export?orgId=${townA}&from=${from}&to=${to}&view=children`)).statusCode, 403);
    const mine = await upload(rawA, townA, await sheet([['QS01', '', asDate(daysAgo(1)), 1]]));
    const other = await rawB.send('GET', `/api/outreach/imports/${mine.body.import.id}`);
    assert.equal(other.statusCode, 404, 'an import outside one\'s scope does not exist for them');
    assert.equal((await rawB.send('POST', `/api/outreach/imports/${mine.body.import.id}/confirm`)).statusCode, 404);
    assert.equal((await pubA.get(`/api/outreach/imports/${randomUUID()}`)).status, 404);
    assert.equal((await ctx().anon.get(`/api/outreach/template?orgId=${townA}`)).status, 401);
  });
});
