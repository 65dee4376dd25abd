// Spike alerts (舆情预警): every few minutes, the current and the previous hour's counts per series
// (all posts, epidemic-related posts, each category, each keyword group, each cluster) are compared
// with an EWMA baseline of the week before. An alert says why: baseline, now, the top cluster. It is
// raised once per series and hour, shown in the app, and sent to the configured webhook (retried).
import crypto from 'node:crypto';
import type { Actor, Kernel } from '../../kernel/index.ts';
import { notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso, MINUTE } from '../../kernel/time.ts';
import type { OpinionAlertsTable } from '../../db/types.ts';
import { CATEGORY_NAMES, type Category } from './opinion.schema.ts';
import { alertWebhook } from './opinion.config.ts';
import { withSamples } from './opinion.queries.ts';

const HOUR = 3_600_000;
const BASELINE_HOURS = 7 * 24;
/** EWMA weight of the newest hour (≈ the last 20 hours dominate). */
const ALPHA = 0.1;
/** Fewer posts than this in an hour never alert, however quiet the baseline. */
export const MIN_COUNT = { series: 10, cluster: 5 };
/** How many standard deviations (Poisson-like: variance ≥ mean) above the baseline. */
const Z = 3;
const RATIO = 2;

const hourKey = (t: number) => new Date(t).toISOString().slice(0, 13);

/** EWMA mean and variance over hourly counts, oldest first (missing hours are zeros). */
export function ewma(counts: number[]): { mean: number; variance: number } {
  let mean = 0;
  let variance = 0;
  for (const x of counts) {
    const diff = x - mean;
    const incr = ALPHA * diff;
    mean += incr;
    variance = (1 - ALPHA) * (variance + diff * incr);
  }
  return { mean, variance };
}

/** Whether a count is a spike against a baseline, and by how much. */
export function isSpike(count: number, base: { mean: number; variance: number }, min: number): boolean {
  if (count < min) return false;
  const sd = Math.sqrt(Math.max(base.variance, base.mean, 1));
  return count >= base.mean + Z * sd && count >= RATIO * base.mean;
}

async function seriesLabel(kernel: Kernel, series: string): Promise<string> {
  if (series === 'all') return '全部帖文';
  if (series === 'relevant') return '涉疫帖文';
  if (series.startsWith('cat:')) return `${CATEGORY_NAMES[series.slice(4) as Category] ?? series.slice(4)}类帖文`;
  if (series.startsWith('grp:')) {
    const g = await kernel.db.selectFrom('opinion_keyword_groups').select('name').where('id', '=', series.slice(4)).executeTakeFirst();
    return `关键词组“${g?.name ?? series.slice(4)}”`;
  }
  return '同一说法（聚类）';
}

/** Evaluate the current and previous hour for every org with recent posts; returns alerts raised. */
export async function detectSpikes(kernel: Kernel): Promise<number> {
  const now = kernel.clock().getTime();
  const hours = [hourKey(now - HOUR), hourKey(now)];
  const orgs = await kernel.db.selectFrom('opinion_hourly').select('org_id').distinct().where('hour', 'in', hours).execute();
  let raised = 0;
  for (const { org_id: orgId } of orgs) {
    for (const hour of hours) raised += await detectFor(kernel, orgId, hour);
  }
  return raised;
}

async function detectFor(kernel: Kernel, orgId: string, hour: string): Promise<number> {
  const t = Date.parse(`${hour}:00:00Z`);
  const since = hourKey(t - BASELINE_HOURS * HOUR);
  const current = await kernel.db.selectFrom('opinion_hourly').select(['series', 'count']).where('org_id', '=', orgId).where('hour', '=', hour).execute();
  const candidates = current.filter((c) => Number(c.count) >= MIN_COUNT.series);
  let raised = 0;
  const hourStart = `${hour}:00:00.000Z`;
  const hourEnd = new Date(t + HOUR).toISOString();
  for (const c of candidates) {
    const history = await kernel.db
      .selectFrom('opinion_hourly')
      .select(['hour', 'count'])
      .where('org_id', '=', orgId)
      .where('series', '=', c.series)
      .where('hour', '>=', since)
      .where('hour', '<', hour)
      .execute();
    const base = ewma(fill(history.map((h) => [h.hour, Number(h.count)]), t));
    if (!isSpike(Number(c.count), base, MIN_COUNT.series)) continue;
    const top = await topCluster(kernel, orgId, c.series, hourStart, hourEnd);
    if (await raise(kernel, orgId, c.series, hour, Number(c.count), base.mean, top)) raised++;
  }
  // Clusters: one claim spreading fast, even when the totals look ordinary.
  const clusters = await kernel.db
    .selectFrom('opinion_posts')
    .select((eb) => ['cluster_id', eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('published_at', '>=', hourStart)
    .where('published_at', '<', hourEnd)
    .groupBy('cluster_id')
    .having((eb) => eb.fn.countAll(), '>=', MIN_COUNT.cluster)
    .execute();
  for (const c of clusters) {
    const history = await kernel.db
      .selectFrom('opinion_posts')
      .select((eb) => [eb.fn<string>('substr', ['published_at', eb.val(1), eb.val(13)]).as('hour'), eb.fn.countAll<number>().as('n')])
      .where('cluster_id', '=', c.cluster_id)
      .where('published_at', '>=', `${since}:00:00.000Z`)
      .where('published_at', '<', hourStart)
      .groupBy('hour')
      .execute();
    const base = ewma(fill(history.map((h) => [h.hour, Number(h.n)]), t));
    if (!isSpike(Number(c.n), base, MIN_COUNT.cluster)) continue;
    const [k] = await withSamples(kernel.db, await kernel.db.selectFrom('opinion_clusters').select(['id', 'sample_text', 'sample_post_id', 'size']).where('id', '=', c.cluster_id).execute());
    if (await raise(kernel, orgId, `clu:${c.cluster_id}`, hour, Number(c.n), base.mean, k ? { id: k.id, sample_text: k.sample_text, size: Number(k.size), n: Number(c.n) } : null)) raised++;
  }
  return raised;
}

/** Hourly counts for the baseline window before hour t, zeros where nothing was posted. */
function fill(rows: Array<[string, number]>, t: number): number[] {
  const m = new Map(rows);
  const out: number[] = [];
  for (let i = BASELINE_HOURS; i >= 1; i--) out.push(m.get(hourKey(t - i * HOUR)) ?? 0);
  return out;
}

type Top = { id: string; sample_text: string; size: number; n: number } | null;

async function topCluster(kernel: Kernel, orgId: string, series: string, from: string, to: string): Promise<Top> {
  let q = kernel.db
    .selectFrom('opinion_posts as p')
    .innerJoin('opinion_clusters as k', 'k.id', 'p.cluster_id')
    .select((eb) => ['k.id', 'k.sample_text', 'k.sample_post_id', 'k.size', eb.fn.countAll<number>().as('n')])
    .where('p.org_id', '=', orgId)
    .where('p.published_at', '>=', from)
    .where('p.published_at', '<', to);
  if (series === 'relevant') q = q.where('p.relevant', '=', 1);
  if (series.startsWith('cat:')) q = q.where('p.category', '=', series.slice(4)).where('p.relevant', '=', 1);
  if (series.startsWith('grp:')) q = q.where('p.groups', 'like', `%"${series.slice(4)}"%`);
  const [row] = await withSamples(kernel.db, await q.groupBy(['k.id', 'k.sample_text', 'k.sample_post_id', 'k.size']).orderBy('n', 'desc').limit(1).execute());
  return row ? { id: row.id, sample_text: row.sample_text, size: Number(row.size), n: Number(row.n) } : null;
}

/** "11月29日3时" in the district's time zone, for an hour bucket kept in UTC. */
export function localHourText(hour: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric', day: 'numeric', hour: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(`${hour}:00:00Z`)).map((p) => [p.type, p.value]),
  );
  return `${parts.month}月${parts.day}日${Number(parts.hour)}时`;
}

async function raise(kernel: Kernel, orgId: string, series: string, hour: string, count: number, baseline: number, top: Top): Promise<boolean> {
  const label = await seriesLabel(kernel, series);
  const ratio = baseline > 0.05 ? `，是基线的${(count / baseline).toFixed(1)}倍` : '';
  const hourText = localHourText(hour, kernel.config.timeZone);
  const topText = top ? `；传播最多的说法：“${top.sample_text.slice(0, 40)}${top.sample_text.length > 40 ? '…' : ''}”（本小时${top.n}条，累计${top.size}条）` : '';
  const reason = `${label}在${hourText}达到${count}条，近7日基线约每小时${baseline.toFixed(1)}条${ratio}${topText}。`;
  const webhook = await alertWebhook(kernel);
  const row: OpinionAlertsTable = {
    id: newId(),
    org_id: orgId,
    series,
    hour,
    count,
    baseline: Math.round(baseline * 100) / 100,
    reason,
    top_cluster_id: top?.id ?? null,
    webhook_status: webhook.url ? 'pending' : null,
    acknowledged_by: null,
    acknowledged_at: null,
    created_at: iso(kernel.clock()),
  };
  return kernel.db.transaction().execute(async (trx) => {
    const res = await trx.insertInto('opinion_alerts').values(row).onConflict((oc) => oc.columns(['org_id', 'series', 'hour']).doNothing()).executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await kernel.audit.record({ actor: null, action: 'opinion.alert.raise', target: row.id, detail: { series, hour, count, baseline: row.baseline } }, trx);
    if (webhook.url) await kernel.jobs.enqueue(trx, 'opinion.alert-webhook', { alertId: row.id }, { uniqueKey: `opinion-alert:${row.id}`, maxAttempts: 8 });
    return true;
  });
}

export async function sendAlertWebhook(kernel: Kernel, alertId: string) {
  const alert = await kernel.db.selectFrom('opinion_alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
  if (!alert) return;
  const hook = await alertWebhook(kernel);
  if (!hook.url) {
    await kernel.db.updateTable('opinion_alerts').set({ webhook_status: null }).where('id', '=', alertId).execute();
    return;
  }
  const body = JSON.stringify({
    type: 'opinion.alert',
    id: alert.id,
    series: alert.series,
    seriesLabel: await seriesLabel(kernel, alert.series),
    hour: alert.hour,
    count: alert.count,
    baseline: alert.baseline,
    reason: alert.reason,
    topClusterId: alert.top_cluster_id,
    createdAt: alert.created_at,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'x-frontline-event': 'opinion.alert' };
  if (hook.secret) headers['x-frontline-signature'] = `sha256=${crypto.createHmac('sha256', hook.secret).update(body).digest('hex')}`;
  try {
    const res = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await kernel.db.updateTable('opinion_alerts').set({ webhook_status: 'sent' }).where('id', '=', alertId).execute();
  } catch (err) {
    await kernel.db.updateTable('opinion_alerts').set({ webhook_status: 'failed' }).where('id', '=', alertId).execute();
    throw err; // retried with backoff by the job runner
  }
}

export async function presentAlerts(kernel: Kernel, rows: OpinionAlertsTable[]) {
  const clusterIds = rows.map((r) => r.top_cluster_id).filter((x): x is string => !!x);
  const clusters = new Map(
    clusterIds.length
      ? (await withSamples(kernel.db, await kernel.db.selectFrom('opinion_clusters').select(['id', 'sample_text', 'sample_post_id', 'size']).where('id', 'in', clusterIds).execute())).map((c) => [c.id, c])
      : [],
  );
  const out = [];
  for (const r of rows) {
    const c = r.top_cluster_id ? clusters.get(r.top_cluster_id) : undefined;
    out.push({
      id: r.id,
      series: r.series,
      seriesLabel: await seriesLabel(kernel, r.series),
      hour: r.hour,
      count: Number(r.count),
      baseline: Number(r.baseline),
      reason: r.reason,
      topCluster: c ? { id: c.id, sampleText: c.sample_text, size: Number(c.size) } : null,
      webhookStatus: r.webhook_status,
      acknowledgedAt: r.acknowledged_at,
      createdAt: r.created_at,
    });
  }
  return out;
}

export async function listAlerts(kernel: Kernel, actor: Actor | null, q: { status: 'open' | 'all'; limit: number }) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  let query = kernel.db
    .selectFrom('opinion_alerts as al')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'al.org_id').on('c.ancestor_id', '=', a.orgId))
    .selectAll('al');
  if (q.status === 'open') query = query.where('al.acknowledged_at', 'is', null);
  return presentAlerts(kernel, await query.orderBy('al.created_at', 'desc').limit(q.limit).execute());
}

export async function acknowledgeAlert(kernel: Kernel, actor: Actor | null, id: string) {
  const row = await kernel.db.selectFrom('opinion_alerts').selectAll().where('id', '=', id).executeTakeFirst();
  await kernel.authz.require(actor, 'opinion.handle', { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound('预警');
  if (!row.acknowledged_at) {
    const now = iso(kernel.clock());
    await kernel.db.transaction().execute(async (trx) => {
      await trx.updateTable('opinion_alerts').set({ acknowledged_by: actor!.userId, acknowledged_at: now }).where('id', '=', id).execute();
      await kernel.audit.record({ actor, action: 'opinion.alert.ack', target: id }, trx);
    });
  }
  const fresh = (await kernel.db.selectFrom('opinion_alerts').selectAll().where('id', '=', id).executeTakeFirst())!;
  return (await presentAlerts(kernel, [fresh]))[0]!;
}

export function registerAlertJobs(kernel: Kernel) {
  kernel.jobs.register('opinion.spikes', async () => {
    await detectSpikes(kernel);
  });
  kernel.jobs.register('opinion.alert-webhook', async (payload: { alertId: string }) => sendAlertWebhook(kernel, payload.alertId), { maxAttempts: 8 });
  kernel.jobs.schedule('opinion.spikes', 'opinion.spikes', 5 * MINUTE);
}
