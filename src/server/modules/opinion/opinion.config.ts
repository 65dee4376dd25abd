// What analysts configure: keyword groups (rules over an Aho–Corasick automaton; the default
// lexicon is seeded and editable), sources (push connectors, RSS/Atom feeds, uploads; pausable),
// and where spike alerts are sent.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { OpinionKeywordGroupsTable, OpinionSourcesTable } from '../../db/types.ts';
import { compileGroups, parseRule, RuleSyntaxError } from '../../../text/keywords.ts';
import { DEFAULT_GROUPS } from '../../../text/lexicon.ts';
import { normalizePost } from '../../../text/normalize.ts';
import { invalidateGroups } from './opinion.state.ts';

// ---- keyword groups ----------------------------------------------------------------------------

/** Seed the default lexicon once; later edits by analysts are kept (never overwritten on start). */
export async function seedKeywordGroups(kernel: Kernel) {
  const now = iso(kernel.clock());
  for (const g of DEFAULT_GROUPS) {
    await kernel.db
      .insertInto('opinion_keyword_groups')
      .values({ id: g.id, name: g.name, rule: g.rule, enabled: 1, builtin: 1, updated_by: null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

const presentGroup = (g: OpinionKeywordGroupsTable) => ({ id: g.id, name: g.name, rule: g.rule, enabled: g.enabled === 1, builtin: g.builtin === 1, updatedAt: g.updated_at });

function checkRule(rule: string, path = 'rule') {
  try {
    parseRule(rule);
  } catch (err) {
    if (err instanceof RuleSyntaxError) throw new AppError('invalid_input', `规则有误：${err.message}`, [{ path, message: err.message, position: err.position }]);
    throw err;
  }
}

export async function listGroups(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'opinion.read');
  return (await kernel.db.selectFrom('opinion_keyword_groups').selectAll().orderBy('builtin', 'desc').orderBy('name').execute()).map(presentGroup);
}

export async function createGroup(kernel: Kernel, actor: Actor | null, input: { name: string; rule: string; enabled?: boolean }) {
  await kernel.authz.require(actor, 'opinion.configure');
  checkRule(input.rule);
  const now = iso(kernel.clock());
  const row: OpinionKeywordGroupsTable = {
    id: `g-${newId().slice(0, 8)}`,
    name: input.name,
    rule: input.rule,
    enabled: input.enabled === false ? 0 : 1,
    builtin: 0,
    updated_by: actor!.userId,
    created_at: now,
    updated_at: now,
  };
  await kernel.db.transaction().execute(async (trx) => {
    await trx.insertInto('opinion_keyword_groups').values(row).execute();
    await kernel.audit.record({ actor, action: 'opinion.group.create', target: row.id, detail: { name: row.name } }, trx);
  });
  invalidateGroups(kernel);
  return presentGroup(row);
}

export async function updateGroup(kernel: Kernel, actor: Actor | null, id: string, input: { name?: string; rule?: string; enabled?: boolean }) {
  await kernel.authz.require(actor, 'opinion.configure');
  const row = await kernel.db.selectFrom('opinion_keyword_groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('关键词组');
  if (input.rule !== undefined) checkRule(input.rule);
  const now = iso(kernel.clock());
  const next = { ...row, name: input.name ?? row.name, rule: input.rule ?? row.rule, enabled: input.enabled === undefined ? row.enabled : input.enabled ? 1 : 0, updated_by: actor!.userId, updated_at: now };
  await kernel.db.transaction().execute(async (trx) => {
    await trx.updateTable('opinion_keyword_groups').set(next).where('id', '=', id).execute();
    await kernel.audit.record({ actor, action: 'opinion.group.update', target: id, detail: { fields: Object.keys(input) } }, trx);
  });
  invalidateGroups(kernel);
  return presentGroup(next);
}

export async function deleteGroup(kernel: Kernel, actor: Actor | null, id: string) {
  await kernel.authz.require(actor, 'opinion.configure');
  const row = await kernel.db.selectFrom('opinion_keyword_groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('关键词组');
  if (row.builtin === 1) throw new AppError('conflict', '内置关键词组不能删除，可以停用');
  await kernel.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('opinion_keyword_groups').where('id', '=', id).execute();
    await kernel.audit.record({ actor, action: 'opinion.group.delete', target: id, detail: { name: row.name } }, trx);
  });
  invalidateGroups(kernel);
}

/** Try a rule on a text in the editor before saving it. */
export async function testRule(kernel: Kernel, actor: Actor | null, input: { rule: string; text: string }) {
  await kernel.authz.require(actor, 'opinion.read');
  checkRule(input.rule);
  const normalized = normalizePost(input.text);
  const matches = compileGroups([{ id: 'test', name: 'test', rule: input.rule }]).match(normalized).length > 0;
  return { matches, normalized };
}

// ---- sources -----------------------------------------------------------------------------------

export const presentSource = (s: OpinionSourcesTable) => ({
  id: s.id,
  name: s.name,
  kind: s.kind as 'push' | 'rss' | 'upload',
  url: s.url,
  paused: s.paused === 1,
  pollMinutes: Number(s.poll_minutes),
  lastPolledAt: s.last_polled_at,
  lastOkAt: s.last_ok_at,
  nextPollAt: s.next_poll_at,
  lastError: s.last_error,
  failures: Number(s.failures),
  posts: Number(s.posts),
});

export async function listSources(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  const rows = await kernel.db
    .selectFrom('opinion_sources as s')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 's.org_id').on('c.ancestor_id', '=', a.orgId))
    .selectAll('s')
    .orderBy('s.name')
    .execute();
  return rows.map(presentSource);
}

export async function createSource(kernel: Kernel, actor: Actor | null, input: { name: string; kind: 'push' | 'rss' | 'upload'; url?: string; pollMinutes?: number }) {
  const a = await kernel.authz.require(actor, 'opinion.configure');
  if (input.kind === 'rss' && !input.url) throw new AppError('invalid_input', '订阅源需要填写地址', [{ path: 'url', message: '订阅源需要填写地址' }]);
  const now = iso(kernel.clock());
  const row: OpinionSourcesTable = {
    id: newId(),
    org_id: a.orgId,
    name: input.name,
    kind: input.kind,
    url: input.url ?? null,
    paused: 0,
    poll_minutes: input.pollMinutes ?? 10,
    etag: null,
    last_modified: null,
    next_poll_at: input.kind === 'rss' ? now : null,
    last_polled_at: null,
    last_ok_at: null,
    last_error: null,
    failures: 0,
    posts: 0,
    created_at: now,
    updated_at: now,
  };
  await kernel.db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('opinion_sources').select('id').where('org_id', '=', a.orgId).where('name', '=', input.name).executeTakeFirst();
    if (clash) throw new AppError('conflict', `已有同名来源：${input.name}`);
    await trx.insertInto('opinion_sources').values(row).execute();
    await kernel.audit.record({ actor, action: 'opinion.source.create', target: row.id, detail: { name: row.name, kind: row.kind } }, trx);
  });
  return presentSource(row);
}

export async function updateSource(kernel: Kernel, actor: Actor | null, id: string, input: { name?: string; url?: string; pollMinutes?: number; paused?: boolean }) {
  const row = await kernel.db.selectFrom('opinion_sources').selectAll().where('id', '=', id).executeTakeFirst();
  await kernel.authz.require(actor, 'opinion.configure', { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound('来源');
  const now = iso(kernel.clock());
  const next: OpinionSourcesTable = {
    ...row,
    name: input.name ?? row.name,
    url: input.url ?? row.url,
    poll_minutes: input.pollMinutes ?? row.poll_minutes,
    paused: input.paused === undefined ? row.paused : input.paused ? 1 : 0,
    // Resuming or changing the address polls soon, with a clean slate.
    ...(input.paused === false || input.url ? { next_poll_at: now, failures: 0 } : {}),
    updated_at: now,
  };
  await kernel.db.transaction().execute(async (trx) => {
    if (next.name !== row.name) {
      const clash = await trx.selectFrom('opinion_sources').select('id').where('org_id', '=', row.org_id).where('name', '=', next.name).executeTakeFirst();
      if (clash) throw new AppError('conflict', `已有同名来源：${next.name}`);
    }
    await trx.updateTable('opinion_sources').set(next).where('id', '=', id).execute();
    await kernel.audit.record({ actor, action: 'opinion.source.update', target: id, detail: { fields: Object.keys(input), paused: next.paused === 1 } }, trx);
  });
  return presentSource(next);
}

// ---- alert destination -------------------------------------------------------------------------

const WEBHOOK_KEY = 'opinion_alert_webhook';

export async function alertWebhook(kernel: Kernel): Promise<{ url: string | null; secret: string | null }> {
  const row = await kernel.db.selectFrom('settings').select('value').where('key', '=', WEBHOOK_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as { url: string | null; secret: string | null }) : { url: null, secret: null };
}

export async function getSettings(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'opinion.configure');
  const w = await alertWebhook(kernel);
  return { alertWebhookUrl: w.url, hasSecret: !!w.secret };
}

export async function saveSettings(kernel: Kernel, actor: Actor | null, input: { alertWebhookUrl: string | null; alertWebhookSecret?: string | null }) {
  await kernel.authz.require(actor, 'opinion.configure');
  const prev = await alertWebhook(kernel);
  const value = { url: input.alertWebhookUrl, secret: input.alertWebhookSecret === undefined ? prev.secret : input.alertWebhookSecret };
  const now = iso(kernel.clock());
  await kernel.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: WEBHOOK_KEY, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
      .execute();
    await kernel.audit.record({ actor, action: 'opinion.settings.update', target: WEBHOOK_KEY, detail: { url: value.url, secretChanged: input.alertWebhookSecret !== undefined } }, trx);
  });
  return { alertWebhookUrl: value.url, hasSecret: !!value.secret };
}
