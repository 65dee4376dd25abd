// Outbound webhook endpoints (渠道对接, system admin): a URL, the channels it receives, paused or not,
// and a signing secret the server generates and shows once. Kept as one JSON document in `settings`
// (edited rarely, read by whichever instance delivers), so no table of its own. At most one active
// endpoint per channel, because a channel has one delivery record per item.
import crypto from 'node:crypto';
import type { Actor, Kernel } from '../../kernel/index.ts';
import type { DbOrTrx, Trx } from '../../db/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId, randomToken } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import { getSetting, putSetting } from '../security/security.queries.ts';
import { CHANNEL_NAMES } from './publishing.schema.ts';

const KEY = 'publishing_webhooks';

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string | null;
  channels: string[];
  paused: boolean;
  createdAt: string;
  updatedAt: string;
}

export type WebhookView = Omit<WebhookEndpoint, 'secret'> & { hasSecret: boolean };
export const presentWebhook = (w: WebhookEndpoint): WebhookView => ({
  id: w.id,
  url: w.url,
  channels: w.channels,
  paused: w.paused,
  hasSecret: !!w.secret,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

/** A stable UUID for an endpoint stored in the first, per-channel shape ({ wechat: { url, secret } }). */
function legacyId(channel: string) {
  const h = crypto.createHash('sha256').update(`publishing-webhook:${channel}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function readAll(db: DbOrTrx): Promise<WebhookEndpoint[]> {
  const v = await getSetting(db, KEY);
  if (!v) return [];
  const parsed = JSON.parse(v) as { endpoints?: WebhookEndpoint[] };
  if (Array.isArray(parsed.endpoints)) return parsed.endpoints;
  return Object.entries(parsed as Record<string, { url: string; secret?: string }>).map(([channel, h]) => ({
    id: legacyId(channel),
    url: h.url,
    secret: h.secret ?? null,
    channels: [channel],
    paused: false,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  }));
}

const writeAll = (trx: Trx, endpoints: WebhookEndpoint[], now: string) => putSetting(trx, KEY, JSON.stringify({ endpoints }), now);

/** The active endpoint that receives a channel, if any (used by the delivery job). */
export async function activeWebhookFor(kernel: Kernel, channel: string) {
  return (await readAll(kernel.db)).find((w) => !w.paused && w.channels.includes(channel));
}

function assertNoOverlap(all: WebhookEndpoint[], self: { id: string; channels: string[]; paused: boolean }) {
  if (self.paused) return;
  for (const other of all) {
    if (other.id === self.id || other.paused) continue;
    const shared = other.channels.filter((c) => self.channels.includes(c));
    if (shared.length) {
      const names = shared.map((c) => CHANNEL_NAMES[c as keyof typeof CHANNEL_NAMES] ?? c).join('、');
      throw new AppError('conflict', `渠道“${names}”已由另一个对接地址接收（每个渠道只能有一个启用的对接地址），请先暂停它`);
    }
  }
}

/**
 * Items already published while a channel had no active endpoint stay 待发送; when an endpoint for
 * the channel is added or resumed they are handed to the delivery job (at most 500, newest first).
 */
async function requeuePending(kernel: Kernel, trx: Trx, w: WebhookEndpoint) {
  if (w.paused) return 0;
  const rows = await trx
    .selectFrom('pub_deliveries as d')
    .innerJoin('pub_content as c', 'c.id', 'd.content_id')
    .select(['d.content_id', 'd.channel', 'd.version'])
    .where('d.channel', 'in', w.channels)
    .where('d.status', '=', 'pending')
    .where('c.status', '=', 'published')
    .orderBy('d.updated_at', 'desc')
    .limit(500)
    .execute();
  for (const r of rows) {
    await kernel.jobs.enqueue(trx, 'publishing.deliver', { contentId: r.content_id, channel: r.channel, version: r.version }, { uniqueKey: `deliver:${r.content_id}:${r.channel}:v${r.version}:hook:${w.id}:${w.updatedAt}` });
  }
  return rows.length;
}

export async function listWebhooks(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'publishing.channels.manage');
  return (await readAll(kernel.db)).map(presentWebhook);
}

export async function createWebhook(kernel: Kernel, actor: Actor | null, input: { url: string; channels: string[] }) {
  const a = await kernel.authz.require(actor, 'publishing.channels.manage');
  const now = iso(kernel.clock());
  // Shown once in the answer; the receiver checks x-frontline-signature (HMAC-SHA256) with it.
  const secret = `whsec_${randomToken(24)}`;
  const w: WebhookEndpoint = { id: newId(), url: input.url, secret, channels: [...new Set(input.channels)], paused: false, createdAt: now, updatedAt: now };
  await kernel.db.transaction().execute(async (trx) => {
    const all = await readAll(trx);
    assertNoOverlap(all, w);
    await writeAll(trx, [...all, w], now);
    await requeuePending(kernel, trx, w);
    await kernel.audit.record({ actor: a, action: 'publishing.webhook.create', target: w.id, detail: { channels: w.channels } }, trx);
  });
  return { webhook: presentWebhook(w), secret };
}

export async function updateWebhook(kernel: Kernel, actor: Actor | null, id: string, input: { url?: string; channels?: string[]; paused?: boolean }) {
  const a = await kernel.authz.require(actor, 'publishing.channels.manage', { target: id });
  const now = iso(kernel.clock());
  return kernel.db.transaction().execute(async (trx) => {
    const all = await readAll(trx);
    const old = all.find((w) => w.id === id);
    if (!old) throw notFound('对接地址');
    const w: WebhookEndpoint = {
      ...old,
      url: input.url ?? old.url,
      channels: input.channels ? [...new Set(input.channels)] : old.channels,
      paused: input.paused ?? old.paused,
      updatedAt: now,
    };
    assertNoOverlap(all, w);
    await writeAll(trx, all.map((x) => (x.id === id ? w : x)), now);
    if (old.paused && !w.paused) await requeuePending(kernel, trx, w);
    await kernel.audit.record({ actor: a, action: 'publishing.webhook.update', target: id, detail: { fields: Object.keys(input), paused: w.paused } }, trx);
    return presentWebhook(w);
  });
}

export async function deleteWebhook(kernel: Kernel, actor: Actor | null, id: string) {
  const a = await kernel.authz.require(actor, 'publishing.channels.manage', { target: id });
  await kernel.db.transaction().execute(async (trx) => {
    const all = await readAll(trx);
    if (!all.some((w) => w.id === id)) throw notFound('对接地址');
    await writeAll(trx, all.filter((w) => w.id !== id), iso(kernel.clock()));
    await kernel.audit.record({ actor: a, action: 'publishing.webhook.delete', target: id }, trx);
  });
}

/** The first API's view: one active endpoint per channel, as { channel: { url, hasSecret } }. */
export async function webhooksByChannel(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'publishing.channels.manage');
  const out: Record<string, { url: string; hasSecret: boolean }> = {};
  for (const w of await readAll(kernel.db)) {
    if (w.paused) continue;
    for (const c of w.channels) out[c] = { url: w.url, hasSecret: !!w.secret };
  }
  return out;
}

/** The first API's write: replaces every endpoint with one per channel (secrets as given). */
export async function setWebhooksByChannel(kernel: Kernel, actor: Actor | null, webhooks: Partial<Record<string, { url: string; secret?: string }>>) {
  const a = await kernel.authz.require(actor, 'publishing.channels.manage');
  const now = iso(kernel.clock());
  const endpoints: WebhookEndpoint[] = Object.entries(webhooks).map(([channel, h]) => ({
    id: newId(),
    url: h!.url,
    secret: h!.secret ?? null,
    channels: [channel],
    paused: false,
    createdAt: now,
    updatedAt: now,
  }));
  await kernel.db.transaction().execute(async (trx) => {
    await writeAll(trx, endpoints, now);
    for (const w of endpoints) await requeuePending(kernel, trx, w);
    await kernel.audit.record({ actor: a, action: 'publishing.channels.update', detail: { channels: Object.keys(webhooks) } }, trx);
  });
}
