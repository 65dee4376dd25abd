// Channel delivery: one record per channel and item, delivered by a job (retried with backoff).
// Built in: the public website and its Atom feed (confirmed at once); WeChat-ready HTML, Weibo text
// and a TV script as exports for staff to post; and a generic outbound webhook per channel for real
// platform integrations, which may confirm later through the API (delivery is asynchronous).
import crypto from 'node:crypto';
import type { Actor, Kernel } from '../../kernel/index.ts';
import type { Trx } from '../../db/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import { findContent, type ContentRow } from './publishing.queries.ts';
import { activeWebhookFor } from './publishing.webhooks.ts';
import { plainText } from './publishing.sanitize.ts';
import { CHANNEL_NAMES, KIND_NAMES, WEIBO_LIMIT } from './publishing.schema.ts';
import { escapeHtml as esc } from '../../../text/escape.ts';

export async function scheduleDeliveries(kernel: Kernel, trx: Trx, contentId: string, version: number, channels: string[]) {
  const now = iso(kernel.clock());
  for (const channel of channels) {
    const website = channel === 'website';
    const status = website ? 'confirmed' : 'pending';
    await trx
      .insertInto('pub_deliveries')
      .values({ id: newId(), content_id: contentId, channel, version, status, attempts: 0, last_error: null, external_id: null, sent_at: website ? now : null, confirmed_at: website ? now : null, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['content_id', 'channel']).doUpdateSet({ version, status, attempts: 0, last_error: null, sent_at: website ? now : null, confirmed_at: website ? now : null, updated_at: now }),
      )
      .execute();
    if (!website) {
      await kernel.jobs.enqueue(trx, 'publishing.deliver', { contentId, channel, version }, { uniqueKey: `deliver:${contentId}:${channel}:v${version}` });
    }
  }
}

/** What a channel receives: WeChat gets inline-styled HTML, Weibo a short text, TV a script. */
export function exportFor(channel: string, c: Pick<ContentRow, 'title' | 'body_html' | 'kind' | 'summary' | 'source_name' | 'is_repost' | 'id'>, publicUrl: string) {
  const text = plainText(c.body_html);
  switch (channel) {
    case 'wechat':
      return { format: 'html', body: wechatHtml(c.title, c.body_html, c.is_repost ? c.source_name : null) };
    case 'weibo': {
      // Counted in characters (code points); a link counts as its full length (no t.cn shortening).
      const head = `【${c.title}】`;
      const tail = ` 详情：${publicUrl}`;
      const chars = [...text];
      const room = WEIBO_LIMIT - [...head].length - [...tail].length;
      return { format: 'text', body: `${head}${chars.length > room ? `${chars.slice(0, Math.max(0, room - 1)).join('')}…` : text}${tail}` };
    }
    case 'tv': {
      const minutes = Math.max(1, Math.round(text.length / 240)); // about four characters a second read aloud
      return { format: 'text', body: `【电视口播稿】${c.title}\n（${KIND_NAMES[c.kind as keyof typeof KIND_NAMES] ?? c.kind}，约${minutes}分钟）\n\n${text}\n` };
    }
    default:
      return { format: 'text', body: `${c.title}\n\n${c.summary ?? text.slice(0, 300)}\n${publicUrl}` };
  }
}

const WECHAT_STYLES: Record<string, string> = {
  p: 'margin:0 0 1em;line-height:1.75;font-size:16px;color:#333;text-align:justify;',
  h2: 'margin:1.2em 0 0.6em;font-size:18px;font-weight:bold;color:#b71c1c;',
  h3: 'margin:1em 0 0.5em;font-size:17px;font-weight:bold;color:#333;',
  h4: 'margin:1em 0 0.5em;font-size:16px;font-weight:bold;color:#333;',
  blockquote: 'margin:1em 0;padding:0.5em 1em;border-left:4px solid #b71c1c;background:#fafafa;color:#555;',
  img: 'max-width:100%;height:auto;display:block;margin:0.5em auto;',
  figcaption: 'text-align:center;font-size:13px;color:#888;',
  table: 'border-collapse:collapse;width:100%;font-size:14px;',
  th: 'border:1px solid #ddd;padding:4px;background:#f5f5f5;',
  td: 'border:1px solid #ddd;padding:4px;',
  li: 'line-height:1.75;font-size:16px;color:#333;',
};

/** Inline styles on a sanitised body: WeChat's editor drops <style> blocks and classes. */
export function wechatHtml(title: string, bodyHtml: string, source: string | null) {
  const styled = bodyHtml.replace(/<(p|h2|h3|h4|blockquote|img|figcaption|table|th|td|li)(\s|>|\/)/g, (_m, tag: string, next: string) => `<${tag} style="${WECHAT_STYLES[tag]}"${next}`);
  return `<section style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;padding:0 4px;"><h1 style="font-size:22px;line-height:1.4;margin:0 0 0.8em;color:#222;">${esc(title)}</h1>${source ? `<p style="font-size:13px;color:#888;margin:0 0 1em;">来源：${esc(source)}</p>` : ''}${styled}</section>`;
}

export async function deliver(kernel: Kernel, payload: { contentId: string; channel: string; version: number }) {
  const delivery = await kernel.db.selectFrom('pub_deliveries').selectAll().where('content_id', '=', payload.contentId).where('channel', '=', payload.channel).executeTakeFirst();
  // Superseded (a correction re-delivers a newer version) or already done: nothing to do.
  if (!delivery || delivery.version !== payload.version || delivery.status === 'confirmed' || delivery.status === 'sent') return;
  const content = await findContent(kernel.db, payload.contentId);
  if (!content || content.status !== 'published') return;
  const hook = await activeWebhookFor(kernel, payload.channel);
  if (!hook) return; // no integration: stays pending until staff post the export and confirm
  const body = JSON.stringify({
    deliveryId: delivery.id,
    channel: payload.channel,
    channelName: CHANNEL_NAMES[payload.channel as keyof typeof CHANNEL_NAMES],
    version: payload.version,
    content: { id: content.id, kind: content.kind, theme: content.theme, title: content.title, publishedAt: content.published_at },
    export: exportFor(payload.channel, content, publicUrlOf(kernel, content.id)),
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-frontline-delivery': delivery.id };
  if (hook.secret) headers['x-frontline-signature'] = `sha256=${crypto.createHmac('sha256', hook.secret).update(body).digest('hex')}`;
  const now = () => iso(kernel.clock());
  try {
    const res = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const answer = (await res.json().catch(() => ({}))) as { id?: string; confirmed?: boolean };
    await kernel.db
      .updateTable('pub_deliveries')
      .set({
        status: answer.confirmed ? 'confirmed' : 'sent',
        attempts: delivery.attempts + 1,
        last_error: null,
        external_id: typeof answer.id === 'string' ? answer.id.slice(0, 200) : null,
        sent_at: now(),
        confirmed_at: answer.confirmed ? now() : null,
        updated_at: now(),
      })
      .where('id', '=', delivery.id)
      .execute();
  } catch (err) {
    await kernel.db
      .updateTable('pub_deliveries')
      .set({ status: 'failed', attempts: delivery.attempts + 1, last_error: deliveryError(err).slice(0, 500), updated_at: now() })
      .where('id', '=', delivery.id)
      .execute();
    throw err; // the job runner retries with backoff
  }
}

/** Why a webhook call failed, in words staff can act on (the code stays for the technician). */
function deliveryError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return '对接地址 10 秒内未响应（超时）';
  const http = /^HTTP (\d{3})$/.exec(e.message);
  if (http) return `对接地址返回 HTTP ${http[1]}`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return '无法连接对接地址：连接被拒绝（ECONNREFUSED），对接程序可能未启动';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `无法解析对接地址的域名（${code}）`;
  if (code) return `无法连接对接地址（${code}）`;
  return `发送失败：${e.cause?.message ?? e.message}`;
}

export async function confirmDelivery(kernel: Kernel, actor: Actor | null, deliveryId: string, externalId?: string) {
  const d = await findDelivery(kernel, deliveryId);
  const content = d ? await findContent(kernel.db, d.content_id) : undefined;
  const a = await kernel.authz.require(actor, 'content.publish', { orgId: content?.org_id ?? null, hideOutOfScope: true, target: deliveryId });
  if (!d) throw notFound('分发记录');
  if (d.status === 'confirmed') return;
  await kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    await trx
      .updateTable('pub_deliveries')
      .set({ status: 'confirmed', confirmed_at: now, sent_at: d.sent_at ?? now, external_id: externalId ?? d.external_id, updated_at: now })
      .where('id', '=', deliveryId)
      .execute();
    await kernel.audit.record({ actor: a, action: 'publishing.delivery.confirm', target: deliveryId, detail: { channel: d.channel } }, trx);
  });
}

export async function exportContent(kernel: Kernel, actor: Actor | null, id: string, channel: string) {
  const row = await findContent(kernel.db, id);
  await kernel.authz.require(actor, 'content.read', { orgId: row?.org_id ?? null, hideOutOfScope: true });
  if (!row) throw notFound('稿件');
  if (!(channel in CHANNEL_NAMES)) throw new AppError('invalid_input', '未知渠道');
  return exportFor(channel, row, publicUrlOf(kernel, row.id));
}

/** The address of an item on the public site, as channels should link to it. */
export const publicUrlOf = (kernel: Kernel, id: string) => `${kernel.config.publicUrl}/news/${id}`;

export type DeliveryRow = Awaited<ReturnType<typeof findDelivery>>;
const findDelivery = (kernel: Kernel, id: string) => kernel.db.selectFrom('pub_deliveries').selectAll().where('id', '=', id).executeTakeFirst();

export const presentDelivery = (d: NonNullable<DeliveryRow>) => ({
  id: d.id,
  channel: d.channel,
  version: d.version,
  status: d.status as 'pending' | 'sent' | 'failed' | 'confirmed',
  attempts: d.attempts,
  lastError: d.last_error,
  externalId: d.external_id,
  sentAt: d.sent_at,
  confirmedAt: d.confirmed_at,
  updatedAt: d.updated_at,
});

/**
 * Send a delivery again now: a failed one (its retries used up or not yet due), or a pending one
 * (e.g. after an endpoint was fixed). Sent and confirmed ones need nothing.
 */
export async function retryDelivery(kernel: Kernel, actor: Actor | null, deliveryId: string) {
  const d = await findDelivery(kernel, deliveryId);
  const content = d ? await findContent(kernel.db, d.content_id) : undefined;
  const a = await kernel.authz.require(actor, 'content.publish', { orgId: content?.org_id ?? null, hideOutOfScope: true, target: deliveryId });
  if (!d || !content) throw notFound('分发记录');
  if (d.status === 'sent' || d.status === 'confirmed') throw new AppError('conflict', '该渠道已发送或已确认，无需重试');
  if (content.status !== 'published') throw new AppError('conflict', '稿件已不在发布状态，不能重试分发');
  await kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    await trx.updateTable('pub_deliveries').set({ status: 'pending', last_error: null, updated_at: now }).where('id', '=', deliveryId).where('status', '=', d.status).execute();
    // One job per (delivery, attempts so far): pressing 重试 twice before it ran sends once.
    await kernel.jobs.enqueue(trx, 'publishing.deliver', { contentId: d.content_id, channel: d.channel, version: d.version }, { uniqueKey: `deliver:${d.content_id}:${d.channel}:v${d.version}:retry:a${d.attempts}` });
    await kernel.audit.record({ actor: a, action: 'publishing.delivery.retry', target: deliveryId, detail: { channel: d.channel, from: d.status } }, trx);
  });
  return { delivery: presentDelivery((await findDelivery(kernel, deliveryId))!), hasEndpoint: !!(await activeWebhookFor(kernel, d.channel)) };
}

/** Deliveries of the caller's subtree, newest change first, with their item's title. */
export async function listDeliveries(kernel: Kernel, actor: Actor | null, q: { status?: string; channel?: string; limit: number; offset: number }) {
  const a = await kernel.authz.require(actor, 'content.read');
  let query = kernel.db
    .selectFrom('pub_deliveries as d')
    .innerJoin('pub_content as c', 'c.id', 'd.content_id')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'c.org_id').on('oc.ancestor_id', '=', a.orgId))
    .selectAll('d')
    .select(['c.title as content_title', 'c.status as content_status'])
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id')
    .limit(q.limit)
    .offset(q.offset);
  if (q.status) query = query.where('d.status', '=', q.status);
  if (q.channel) query = query.where('d.channel', '=', q.channel);
  const rows = await query.execute();
  return rows.map((r) => ({ ...presentDelivery(r), contentId: r.content_id, contentTitle: r.content_title, contentStatus: r.content_status }));
}
