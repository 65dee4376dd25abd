// Hostile and broken input against every write endpoint, on SQLite and on PostgreSQL.
//
// The list of write endpoints below (endpoints()) must cover every POST/PUT/PATCH/DELETE route
// the app publishes in its OpenAPI document, with fields matching the route's request schema: a new
// route or field without cases here fails the first two tests. From that list each endpoint gets
// malformed JSON, arrays and scalars instead of objects, wrong types, missing required and unknown
// fields, unknown enum values, a 1 MB string, a 3 MB body, 10,000-level nesting, SQL- and path-like
// strings in fields and in :id, invalid UTF-8, wrong content types and empty bodies. Routes whose body
// is a raw file (image uploads, .xlsx imports) get wrong content types, empty, wrong and too many bytes.
//
// Every answer must be a 4xx `{ error: { code, message } }` with a Chinese message, never 2xx/5xx,
// except SQL/path-like strings in free-text fields (names, passwords), which are valid input: those
// may succeed, and then must be stored verbatim. Row counts (orgs, users, tokens, outreach, content,
// comments, live entries, deliveries, events, press conferences, coverage, media, report templates and
// archive) move only by such successes; the webhook endpoint the cases aim at is left as it was. Reports answer documents: malformed requests still get JSON errors.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb, ADMIN_PASSWORD, USER_PASSWORD, Client, type Response, type TestContext } from '../../src/server/testing/harness.ts';
import { localDate } from '../../src/server/kernel/time.ts';
import { plainText } from '../../src/server/modules/publishing/publishing.sanitize.ts';

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type As = 'admin' | 'security_admin' | 'publicity' | 'editor' | 'reviewer' | 'analyst' | 'anon' | 'throwaway';
const TABLES = [
  'orgs', 'users', 'api_tokens', 'outreach_records', 'outreach_indicators', 'outreach_imports',
  'pub_content', 'pub_comments', 'pub_live_entries', 'pub_deliveries', 'pub_events', 'pub_press_conferences', 'pub_coverage', 'pub_media',
  'report_templates', 'report_archive',
  'opinion_posts', 'opinion_refutations', 'opinion_keyword_groups', 'opinion_sources', 'opinion_cases', 'opinion_case_actions',
] as const;
type Table = (typeof TABLES)[number];

interface FieldSpec {
  /** object: a map (record) of free keys; string[]: a list of strings. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'enum[]' | 'object[]' | 'object' | 'string[]';
  required?: boolean;
  nullable?: boolean;
  /** A string field without a minimum length: "" is valid. */
  emptyOk?: boolean;
  values?: readonly string[];
  /** object[]: the fields of each item (cases break the first item), and the most items allowed. */
  items?: Record<string, FieldSpec>;
  maxItems?: number;
  /** object: a key the map accepts (the cases give it a value of the wrong type). */
  key?: string;
  /**
   * Free text: SQL- or path-like strings are legitimate values here. If the request succeeds, this
   * checks that the value was stored verbatim.
   */
  verify?: (value: string, res: Response, fx: Fixture, sent: Record<string, unknown>) => Promise<void>;
}

interface WriteEndpoint {
  method: Method;
  path: string;
  as: As;
  /** The real target of the path parameter (cases with a broken one replace it). */
  id?: (fx: Fixture) => string;
  /** A well-formed value of the path parameter that names nothing. */
  unknownId?: string;
  /** Absent: the route takes no body. */
  fields?: Record<string, FieldSpec>;
  /** A valid body; the cases below break one thing at a time. */
  sample?: (fx: Fixture) => Record<string, unknown>;
  /** The table one success adds a row to. */
  creates?: Table;
  /** The whole body is optional: no body (or an empty one) is valid input, so those cases are left out. */
  bodyOptional?: boolean;
  /** Statuses for a well-formed unknown path parameter (default 404/409; an enum parameter says 400). */
  unknownIdExpect?: number[];
  /** The route takes bodies over 3 MB (a batch of posts): a 3 MB body is refused by validation, a bigger one with 413. */
  largeBody?: { limit: number };
  /** A query string the route needs (appended to every request). */
  query?: (fx: Fixture) => string;
  /**
   * The body is a raw file, not JSON: the cases send wrong content types, empty and wrong bytes,
   * a body over the limit. `types` are the accepted content types, `tooLarge` the size of a body
   * over the route's limit (absent: too costly to send here).
   */
  raw?: { types: readonly string[]; tooLarge?: number; wrongBytesExpect: number[]; extra?: Case[] };
}

interface Fixture {
  clients: Record<As, Client>;
  /** A township under root: parent of orgs created by the cases. */
  parent: string;
  /** Targets that valid-looking cases may change (and that are left out of the "unchanged" check). */
  sandboxOrg: string;
  sandboxUser: string;
  /** Must survive: only broken DELETEs are sent to it. */
  doomedOrg: string;
  tokenId: string;
  policy: Record<string, number>;
  /** An outreach record that free-text corrections replace (its id moves on each replacement). */
  sandboxRecord: string;
  doomedRecord: string;
  sandboxIndicator: string;
  /** Yesterday in the district's time zone: a date any record may carry. */
  yesterday: string;
  /** A media org with an editor and a reviewer (publishing); the editor's drafts. */
  mediaOrg: string;
  draft: string;
  liveDraft: string;
  /** Unconfirmed deliveries of a published item: a confirmation that succeeds moves on to the next. */
  deliveries: string[];
  /** The same item's website delivery (confirmed at publication). */
  confirmedDelivery: string;
  /** A webhook endpoint that must survive (only broken requests are sent to it). */
  webhook: string;
  /** Opinion: a post, its cluster, a refutation, a custom and a built-in keyword group, a push source, an alert, a case. */
  opPost: string;
  opCluster: string;
  opRefutation: string;
  /** A refutation published with a link of its own: handing it over to publishing is refused (409). */
  opLinkedRefutation: string;
  opGroup: string;
  opBuiltinGroup: string;
  opSource: string;
  opAlert: string;
  opCase: string;
}

const ROLE_NAMES = ['admin', 'security_admin', 'auditor', 'publicity', 'reporter', 'editor', 'reviewer', 'opinion_analyst', 'health_officer', 'supplies_officer'] as const;
const ORG_KINDS = ['district', 'township', 'village', 'community', 'department', 'media'] as const;

let seq = 0;
const uniqueName = (p: string) => `${p}${++seq}${Math.random().toString(36).slice(2, 6)}`;

const REPORT_FORMATS = ['markdown', 'html', 'docx'] as const;
const CONTENT_KINDS = ['notice', 'news', 'explainer', 'press_release', 'live'] as const;
const CONTENT_THEMES = ['central_policy', 'local_arrangement', 'progress', 'frontline_units', 'science', 'opinion_response'] as const;
const CHANNELS = ['tv', 'website', 'mobile_paper', 'wechat', 'weibo', 'app'] as const;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const OPINION_CATEGORIES = ['rumor', 'price_gouging', 'concern', 'positive', 'other'] as const;
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
/** A content field as the client sees it: the body is sanitised HTML, compared as its text. */
const shown = (field: string, v: unknown) => (field === 'body' && typeof v === 'string' ? plainText(v) : v);

/** The fields of a content item (create: with the required ones; update: all optional). */
function contentFields(create: boolean, check: (field: string, value: string, res: Response, fx: Fixture) => Promise<void>): Record<string, FieldSpec> {
  const text = (field: string, emptyOk = false): FieldSpec => ({ type: 'string', required: create && ['title', 'body'].includes(field), emptyOk, verify: (v, res, fx) => check(field, v, res, fx) });
  return {
    kind: { type: 'enum', required: create, values: CONTENT_KINDS },
    title: text('title'),
    body: text('body', true),
    theme: { type: 'enum', required: create, values: CONTENT_THEMES },
    channels: { type: 'enum[]', required: create, values: CHANNELS },
    summary: text('summary', true),
    isRepost: { type: 'boolean' },
    sourceName: text('sourceName', true),
    sourceUrl: { type: 'string' },
    eventId: { type: 'string' },
  };
}

function endpoints(ctx: () => TestContext): WriteEndpoint[] {
  const client = (fx: Fixture, as: As) => fx.clients[as];
  const db = () => ctx().kernel.db as any;
  /** Free text stored in `column` of the row whose id the answer names. */
  const stored = (table: string, column: string) => async (value: string, res: Response) => {
    const row = await db().selectFrom(table).select(column).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    assert.equal(row[column], value);
  };
  /** The post an ingest answer names. */
  const opinionPost = async (res: Response) => db().selectFrom('opinion_posts').selectAll().where('id', '=', res.body.results[0].id).executeTakeFirstOrThrow();
  return [
    {
      method: 'POST', path: '/api/auth/login', as: 'anon',
      fields: { username: { type: 'string', required: true }, password: { type: 'string', required: true } },
      // Valid in shape, wrong in fact: a case that gets through answers 401, never logs in.
      sample: () => ({ username: 'nobody-bad-input', password: 'Wrong#2026pass' }),
    },
    { method: 'POST', path: '/api/auth/logout', as: 'throwaway' },
    {
      method: 'POST', path: '/api/auth/password', as: 'admin',
      fields: { currentPassword: { type: 'string', required: true }, newPassword: { type: 'string', required: true } },
      // The current password is wrong on purpose: no case may change the admin's password.
      sample: () => ({ currentPassword: 'NotMine#2026pass', newPassword: 'Another#2026pass' }),
    },
    {
      method: 'POST', path: '/api/auth/tokens', as: 'admin', creates: 'api_tokens',
      fields: {
        name: {
          type: 'string', required: true,
          async verify(value, res, fx) {
            const tokens = (await client(fx, 'admin').get('/api/auth/tokens')).body.tokens;
            assert.equal(tokens.find((t: any) => t.id === res.body.id)?.name, value);
          },
        },
      },
      sample: () => ({ name: '坏输入令牌' }),
    },
    { method: 'DELETE', path: '/api/auth/tokens/:id', as: 'admin', id: (fx) => fx.tokenId },
    {
      method: 'POST', path: '/api/orgs', as: 'admin', creates: 'orgs',
      fields: {
        parentId: { type: 'string', required: true },
        name: {
          type: 'string', required: true,
          async verify(value, res, fx) {
            assert.equal(res.body.org.name, value);
            const stored = (await client(fx, 'admin').get(`/api/orgs/${res.body.org.id}`)).body.org;
            assert.deepEqual(stored, { id: res.body.org.id, parentId: fx.parent, name: value, kind: 'village', code: null });
          },
        },
        kind: { type: 'enum', required: true, values: ORG_KINDS },
        code: { type: 'string', nullable: true },
      },
      sample: (fx) => ({ parentId: fx.parent, name: '坏输入村', kind: 'village' }),
    },
    {
      method: 'PATCH', path: '/api/orgs/:id', as: 'admin', id: (fx) => fx.sandboxOrg,
      fields: {
        name: {
          type: 'string',
          async verify(value, _res, fx) {
            assert.equal((await client(fx, 'admin').get(`/api/orgs/${fx.sandboxOrg}`)).body.org.name, value);
          },
        },
        code: { type: 'string', nullable: true },
      },
      sample: () => ({ name: '沙箱村' }),
    },
    { method: 'DELETE', path: '/api/orgs/:id', as: 'admin', id: (fx) => fx.doomedOrg },
    {
      method: 'POST', path: '/api/users', as: 'admin', creates: 'users',
      fields: {
        username: { type: 'string', required: true },
        password: {
          type: 'string', required: true,
          // A strong enough SQL-looking password is a password: it must work, exactly as sent.
          async verify(value, _res, _fx, sent) {
            assert.equal((await ctx().anon.post('/api/auth/login', { username: sent.username, password: value })).status, 200);
          },
        },
        displayName: {
          type: 'string', required: true,
          async verify(value, res, fx, sent) {
            const stored = (await client(fx, 'admin').get(`/api/users/${res.body.user.id}`)).body.user;
            assert.equal(stored.displayName, value);
            assert.equal(stored.username, sent.username);
            assert.deepEqual(stored.roles, ['reporter']);
          },
        },
        orgId: { type: 'string', required: true },
        roles: { type: 'enum[]', required: true, values: ROLE_NAMES },
      },
      sample: (fx) => ({ username: uniqueName('bad_'), password: USER_PASSWORD, displayName: '坏输入用户', orgId: fx.parent, roles: ['reporter'] }),
    },
    {
      method: 'PATCH', path: '/api/users/:id', as: 'admin', id: (fx) => fx.sandboxUser,
      fields: {
        displayName: {
          type: 'string',
          async verify(value, _res, fx) {
            assert.equal((await client(fx, 'admin').get(`/api/users/${fx.sandboxUser}`)).body.user.displayName, value);
          },
        },
        orgId: { type: 'string' },
        roles: { type: 'enum[]', values: ROLE_NAMES },
        disabled: { type: 'boolean' },
      },
      sample: () => ({ displayName: '沙箱用户' }),
    },
    {
      method: 'PUT', path: '/api/security/policy', as: 'security_admin',
      fields: Object.fromEntries(
        ['minLength', 'minClasses', 'maxFailures', 'lockMinutes', 'sessionIdleMinutes'].map((f) => [f, { type: 'integer', required: true } as FieldSpec]),
      ),
      sample: (fx) => ({ ...fx.policy }),
    },
    { method: 'POST', path: '/api/users/:id/lock', as: 'security_admin', id: (fx) => fx.sandboxUser },
    { method: 'POST', path: '/api/users/:id/unlock', as: 'security_admin', id: (fx) => fx.sandboxUser },
    {
      method: 'POST', path: '/api/users/:id/password', as: 'security_admin', id: (fx) => fx.sandboxUser,
      fields: {
        password: {
          type: 'string', required: true,
          async verify(value) {
            assert.equal((await ctx().anon.post('/api/auth/login', { username: 'sandbox_user', password: value })).status, 200);
          },
        },
      },
      sample: () => ({ password: 'Sandbox#2026pass' }),
    },
    // No failed job exists, so even a well-formed retry is a 409; the cases only break the request.
    { method: 'POST', path: '/api/jobs/:id/retry', as: 'admin', id: () => 'no-such-job' },
    {
      method: 'POST', path: '/api/outreach/indicators', as: 'admin', creates: 'outreach_indicators',
      fields: {
        code: { type: 'string', required: true },
        name: {
          type: 'string', required: true,
          async verify(value, _res, fx, sent) {
            const list = (await client(fx, 'admin').get('/api/outreach/indicators?all=1')).body.indicators;
            assert.equal(list.find((i: any) => i.code === sent.code)?.name, value);
          },
        },
        unit: { type: 'string', required: true },
        decimals: { type: 'integer' },
        maxPerRecord: { type: 'number', nullable: true },
      },
      sample: () => ({ code: uniqueName('bad_ind_'), name: '坏输入指标', unit: '个' }),
    },
    {
      method: 'PATCH', path: '/api/outreach/indicators/:code', as: 'admin', id: (fx) => fx.sandboxIndicator, unknownId: 'no_such_indicator',
      fields: {
        name: {
          type: 'string',
          async verify(value, res) {
            assert.equal(res.body.indicator.name, value);
          },
        },
        unit: { type: 'string' },
        maxPerRecord: { type: 'number', nullable: true },
        active: { type: 'boolean' },
      },
      sample: () => ({ name: '沙箱指标' }),
    },
    {
      method: 'POST', path: '/api/outreach/records', as: 'publicity', creates: 'outreach_records',
      fields: {
        records: {
          type: 'object[]', required: true, maxItems: 1000,
          items: {
            clientId: { type: 'string', required: true },
            orgId: { type: 'string', required: true },
            date: { type: 'string', required: true },
            indicator: { type: 'string', required: true },
            value: { type: 'number', required: true },
            note: {
              type: 'string', nullable: true, emptyOk: true,
              async verify(value, res, fx) {
                const id = res.body.results[0].id;
                assert.equal(res.body.results[0].status, 'created');
                const rec = (await client(fx, 'publicity').get(`/api/outreach/records/${id}`)).body.record;
                assert.equal(rec.note, value);
                assert.equal(rec.value, 3);
              },
            },
          },
        },
      },
      sample: (fx) => ({ records: [{ clientId: crypto.randomUUID(), orgId: fx.parent, date: fx.yesterday, indicator: 'leaflets', value: 3 }] }),
    },
    { method: 'DELETE', path: '/api/outreach/records/:id', as: 'publicity', id: (fx) => fx.doomedRecord, unknownId: '999999999' },
    {
      method: 'PUT', path: '/api/outreach/records/:id', as: 'publicity', creates: 'outreach_records', id: (fx) => fx.sandboxRecord, unknownId: '999999999',
      fields: {
        clientId: { type: 'string' },
        date: { type: 'string', required: true },
        indicator: { type: 'string', required: true },
        value: { type: 'number', required: true },
        note: {
          type: 'string', nullable: true, emptyOk: true,
          async verify(value, res, fx) {
            // A correction replaces the record: later cases aim at the replacement.
            assert.equal(res.body.record.note, value);
            fx.sandboxRecord = String(res.body.record.id);
            assert.equal((await client(fx, 'publicity').get(`/api/outreach/records/${fx.sandboxRecord}`)).body.record.note, value);
          },
        },
      },
      sample: (fx) => ({ date: fx.yesterday, indicator: 'leaflets', value: 4 }),
    },
    {
      // The target is counted, not pending review, so a well-formed review is a 409.
      method: 'POST', path: '/api/outreach/records/:id/review', as: 'publicity', id: (fx) => fx.sandboxRecord, unknownId: '999999999',
      fields: {
        decision: { type: 'enum', required: true, values: ['confirm', 'reject'] },
        comment: { type: 'string', emptyOk: true },
      },
      sample: () => ({ decision: 'confirm' }),
    },
    // ---- reports: malformed requests answer a JSON error, never a document ----
    {
      method: 'POST', path: '/api/reports/stage-summary', as: 'publicity',
      fields: { orgId: { type: 'string', required: true }, from: { type: 'string', required: true }, to: { type: 'string', required: true }, format: { type: 'enum', required: true, values: REPORT_FORMATS } },
      sample: (fx) => ({ orgId: fx.parent, from: fx.yesterday, to: fx.yesterday, format: 'markdown' }),
    },
    {
      method: 'POST', path: '/api/reports/daily-brief', as: 'publicity',
      fields: { orgId: { type: 'string', required: true }, date: { type: 'string' }, format: { type: 'enum', required: true, values: REPORT_FORMATS } },
      sample: (fx) => ({ orgId: fx.parent, format: 'markdown' }),
    },
    {
      method: 'PUT', path: '/api/reports/templates/:name', as: 'publicity', creates: 'report_templates',
      id: () => 'stage-summary', unknownId: 'no-such-template', unknownIdExpect: [400],
      fields: {
        parts: { type: 'object', required: true },
        note: {
          type: 'string', emptyOk: true,
          async verify(value, res, fx) {
            const t = (await client(fx, 'publicity').get('/api/reports/templates/stage-summary')).body;
            assert.equal(t.versions.find((v: any) => v.version === res.body.version)?.note, value);
          },
        },
      },
      sample: () => ({ parts: {} }),
    },
    {
      method: 'POST', path: '/api/reports/templates/:name/preview', as: 'publicity',
      id: () => 'stage-summary', unknownId: 'no-such-template', unknownIdExpect: [400],
      fields: {
        orgId: { type: 'string', required: true }, from: { type: 'string', required: true }, to: { type: 'string', required: true },
        format: { type: 'enum', required: true, values: ['markdown', 'html'] },
        parts: { type: 'object', required: true },
      },
      sample: (fx) => ({ orgId: fx.parent, from: fx.yesterday, to: fx.yesterday, format: 'markdown', parts: {} }),
    },
    // ---- outreach Excel import (raw .xlsx body) ----
    {
      method: 'POST', path: '/api/outreach/imports', as: 'publicity', creates: 'outreach_imports', query: (fx) => `orgId=${fx.parent}`,
      raw: { types: [XLSX_MIME, 'application/octet-stream'], wrongBytesExpect: [400] },
    },
    // Nothing has been uploaded, so a well-formed id names nothing (like the job retry above).
    { method: 'POST', path: '/api/outreach/imports/:id/confirm', as: 'publicity', id: () => 'no-such-import' },
    // ---- publishing ----
    {
      method: 'POST', path: '/api/content', as: 'editor', creates: 'pub_content',
      fields: contentFields(true, async (field, value, res, fx) => {
        assert.equal(shown(field, res.body.content[field]), value);
        const stored = (await client(fx, 'editor').get(`/api/content/${res.body.content.id}`)).body.content;
        assert.equal(shown(field, stored[field]), value);
        assert.equal(stored.status, 'draft');
      }),
      sample: () => ({ kind: 'news', title: '坏输入稿件', body: '<p>正文</p>', theme: 'progress', channels: ['website'] }),
    },
    {
      method: 'PATCH', path: '/api/content/:id', as: 'editor', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID,
      fields: contentFields(false, async (field, value, _res, fx) => {
        const stored = (await client(fx, 'editor').get(`/api/content/${fx.draft}`)).body.content;
        assert.equal(shown(field, stored[field]), value);
        assert.equal(stored.status, 'draft');
      }),
      sample: () => ({ title: '坏输入草稿' }),
    },
    // The actions aim at a draft: whatever gets past validation is a conflict (409), never a change.
    { method: 'POST', path: '/api/content/:id/submit', as: 'editor', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID },
    { method: 'POST', path: '/api/content/:id/approve', as: 'reviewer', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID },
    {
      method: 'POST', path: '/api/content/:id/reject', as: 'reviewer', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID,
      fields: { note: { type: 'string', required: true } },
      sample: () => ({ note: '请修改' }),
    },
    {
      method: 'POST', path: '/api/content/:id/publish', as: 'editor', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID, bodyOptional: true,
      fields: { scheduledAt: { type: 'string' } },
      sample: () => ({}),
    },
    { method: 'POST', path: '/api/content/:id/unschedule', as: 'editor', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID },
    {
      method: 'POST', path: '/api/content/:id/unpublish', as: 'reviewer', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID,
      fields: { note: { type: 'string', required: true } },
      sample: () => ({ note: '撤回' }),
    },
    {
      method: 'POST', path: '/api/content/:id/correct', as: 'reviewer', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID,
      fields: { body: { type: 'string', required: true, emptyOk: true }, title: { type: 'string' }, note: { type: 'string', required: true } },
      sample: () => ({ body: '<p>更正后的正文</p>', note: '更正说明' }),
    },
    {
      method: 'POST', path: '/api/content/:id/comments', as: 'editor', id: (fx) => fx.draft, unknownId: UNKNOWN_UUID, creates: 'pub_comments',
      fields: {
        body: {
          type: 'string', required: true,
          async verify(value, _res, fx) {
            const comments = (await client(fx, 'editor').get(`/api/content/${fx.draft}`)).body.comments;
            assert.ok(comments.some((c: any) => c.body === value), JSON.stringify(comments));
          },
        },
      },
      sample: () => ({ body: '审核意见' }),
    },
    {
      method: 'POST', path: '/api/content/:id/live', as: 'editor', id: (fx) => fx.liveDraft, unknownId: UNKNOWN_UUID, creates: 'pub_live_entries',
      fields: {
        body: {
          type: 'string', required: true,
          async verify(value, res) {
            const row = await db().selectFrom('pub_live_entries').select(['body_html', 'content_id']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
            assert.equal(plainText(row.body_html), value);
          },
        },
        at: { type: 'string' },
      },
      sample: () => ({ body: '<p>直播条目</p>' }),
    },
    {
      // A confirmation that succeeds confirms the delivery; later cases aim at the next one.
      method: 'POST', path: '/api/publishing/deliveries/:id/confirm', as: 'editor', id: (fx) => fx.deliveries[0]!, unknownId: UNKNOWN_UUID, bodyOptional: true,
      fields: {
        externalId: {
          type: 'string', emptyOk: true,
          async verify(value, res, fx) {
            assert.equal(res.status, 204);
            const id = fx.deliveries.shift()!;
            const row = await db().selectFrom('pub_deliveries').select(['status', 'external_id']).where('id', '=', id).executeTakeFirstOrThrow();
            assert.deepEqual({ ...row }, { status: 'confirmed', external_id: value });
          },
        },
      },
      sample: () => ({}),
    },
    // Previews store nothing: free text that gets through is echoed in the Weibo text.
    {
      method: 'POST', path: '/api/content/preview', as: 'editor',
      fields: {
        channel: { type: 'enum', required: true, values: CHANNELS },
        kind: { type: 'enum', required: true, values: CONTENT_KINDS },
        title: { type: 'string', required: true, verify: async (v, res) => assert.ok(res.body.body.includes(v), res.body.body) },
        body: { type: 'string', required: true, emptyOk: true, verify: async (v, res) => assert.ok(res.body.body.includes(v), res.body.body) },
        theme: { type: 'enum', values: CONTENT_THEMES },
        // Not part of the Weibo text: the answer is simply a preview (nothing is stored).
        summary: { type: 'string', emptyOk: true, verify: async (_v, res) => assert.equal(res.body.format, 'text') },
        isRepost: { type: 'boolean' },
        sourceName: { type: 'string', emptyOk: true, verify: async (_v, res) => assert.equal(res.body.format, 'text') },
        id: { type: 'string' },
      },
      sample: () => ({ channel: 'weibo', kind: 'news', title: '坏输入预览', body: '<p>正文</p>' }),
    },
    // A retry aims at the website delivery (always confirmed): whatever gets through is a 409.
    { method: 'POST', path: '/api/publishing/deliveries/:id/retry', as: 'editor', id: (fx) => fx.confirmedDelivery, unknownId: UNKNOWN_UUID },
    // Webhook endpoints: nothing valid is ever sent, so none is created, changed or deleted.
    {
      method: 'POST', path: '/api/publishing/webhooks', as: 'admin',
      fields: { url: { type: 'string', required: true }, channels: { type: 'enum[]', required: true, values: CHANNELS } },
      sample: () => ({ url: 'https://hooks.example.org/frontline', channels: ['app'] }),
    },
    {
      method: 'PATCH', path: '/api/publishing/webhooks/:id', as: 'admin', id: (fx) => fx.webhook, unknownId: UNKNOWN_UUID,
      fields: { url: { type: 'string' }, channels: { type: 'enum[]', values: CHANNELS }, paused: { type: 'boolean' } },
      sample: () => ({ paused: false }),
    },
    { method: 'DELETE', path: '/api/publishing/webhooks/:id', as: 'admin', id: (fx) => fx.webhook, unknownId: UNKNOWN_UUID },
    {
      method: 'PUT', path: '/api/publishing/channels', as: 'admin',
      fields: { webhooks: { type: 'object', required: true, key: 'website' } },
      sample: () => ({ webhooks: {} }),
    },
    {
      method: 'POST', path: '/api/publishing/events', as: 'editor', creates: 'pub_events',
      fields: { title: { type: 'string', required: true, verify: stored('pub_events', 'title') }, occurredAt: { type: 'string', required: true }, orgId: { type: 'string' } },
      sample: () => ({ title: '坏输入事件', occurredAt: new Date().toISOString() }),
    },
    {
      method: 'POST', path: '/api/publishing/press-conferences', as: 'editor', creates: 'pub_press_conferences',
      fields: {
        title: { type: 'string', required: true, verify: stored('pub_press_conferences', 'title') },
        heldAt: { type: 'string', required: true },
        place: { type: 'string', required: true, verify: stored('pub_press_conferences', 'place') },
        speakers: { type: 'string[]', required: true, maxItems: 20 },
        topics: { type: 'string[]', required: true, maxItems: 20 },
        liveContentId: { type: 'string' },
        releaseContentId: { type: 'string' },
      },
      sample: () => ({ title: '坏输入发布会', heldAt: new Date().toISOString(), place: '区政府新闻发布厅', speakers: ['发言人'], topics: ['疫情防控'] }),
    },
    {
      method: 'POST', path: '/api/publishing/coverage', as: 'editor', creates: 'pub_coverage',
      fields: {
        outlet: { type: 'string', required: true, verify: stored('pub_coverage', 'outlet') },
        level: { type: 'enum', required: true, values: ['central', 'provincial', 'municipal', 'district'] },
        title: { type: 'string', required: true, verify: stored('pub_coverage', 'title') },
        url: { type: 'string' },
        publishedOn: { type: 'string', required: true },
        topic: { type: 'string', emptyOk: true, verify: stored('pub_coverage', 'topic') },
      },
      sample: (fx) => ({ outlet: '人民日报', level: 'central', title: '坏输入报道', publishedOn: fx.yesterday }),
    },
    // ---- opinion monitoring ----
    {
      method: 'POST', path: '/api/opinion/posts', as: 'analyst', creates: 'opinion_posts', largeBody: { limit: 32 * 1024 * 1024 },
      fields: {
        posts: {
          type: 'object[]', required: true, maxItems: 5000,
          items: {
            source: { type: 'string', required: true },
            externalId: { type: 'string', required: true, verify: async (v, res) => assert.equal((await opinionPost(res)).external_id, v) },
            text: { type: 'string', required: true, verify: async (v, res) => assert.equal((await opinionPost(res)).text, v) },
            publishedAt: { type: 'string', required: true },
            // Authors are kept only as a keyed hash: never the name itself.
            author: { type: 'string', emptyOk: true, verify: async (v, res) => { const row = await opinionPost(res); assert.ok(row.author_hash && !row.author_hash.includes(v)); } },
            url: { type: 'string' },
          },
        },
      },
      sample: () => ({ posts: [{ source: 'bad-input', externalId: uniqueName('bi-'), text: '坏输入：药店口罩一只卖二十元', publishedAt: new Date(Date.now() - 60_000).toISOString() }] }),
    },
    {
      method: 'POST', path: '/api/opinion/posts/:id/label', as: 'analyst', id: (fx) => fx.opPost, unknownId: UNKNOWN_UUID,
      fields: { relevant: { type: 'boolean', required: true }, category: { type: 'enum', required: true, values: OPINION_CATEGORIES } },
      sample: () => ({ relevant: true, category: 'rumor' }),
    },
    {
      method: 'POST', path: '/api/opinion/posts/upload', as: 'analyst', query: () => 'source=bad-input-upload',
      raw: { types: ['text/csv', 'application/x-ndjson', 'application/jsonl'], wrongBytesExpect: [400] },
    },
    {
      method: 'POST', path: '/api/opinion/clusters/:id/refutation', as: 'analyst', id: (fx) => fx.opCluster, unknownId: UNKNOWN_UUID,
      fields: { refutationId: { type: 'string', required: true, nullable: true } },
      sample: (fx) => ({ refutationId: fx.opRefutation }),
    },
    {
      // The sample merges the fixture's cluster into itself (400 if ever sent as it is): nothing is merged.
      method: 'POST', path: '/api/opinion/clusters/:id/merge', as: 'analyst', id: (fx) => fx.opCluster, unknownId: UNKNOWN_UUID,
      fields: { from: { type: 'string[]', required: true, maxItems: 50 } },
      sample: (fx) => ({ from: [fx.opCluster] }),
    },
    // The fixture's post is alone in its cluster: taking it out is refused (409) and changes nothing.
    { method: 'POST', path: '/api/opinion/posts/:id/detach', as: 'analyst', id: (fx) => fx.opPost, unknownId: UNKNOWN_UUID },
    {
      // The sample splits every post of the fixture's cluster off (409 if ever sent as it is): nothing moves.
      method: 'POST', path: '/api/opinion/clusters/:id/split', as: 'analyst', id: (fx) => fx.opCluster, unknownId: UNKNOWN_UUID,
      fields: { postIds: { type: 'string[]', required: true, maxItems: 1000 } },
      sample: (fx) => ({ postIds: [fx.opPost] }),
    },
    {
      method: 'POST', path: '/api/opinion/refutations', as: 'analyst', creates: 'opinion_refutations',
      fields: {
        claim: { type: 'string', required: true, verify: async (v, res) => assert.equal(res.body.refutation.claim, v) },
        facts: { type: 'string', required: true, verify: async (v, res) => assert.equal(res.body.refutation.facts, v) },
        url: { type: 'string' },
      },
      sample: () => ({ claim: '坏输入谣言说法', facts: '坏输入事实说明' }),
    },
    {
      method: 'PATCH', path: '/api/opinion/refutations/:id', as: 'analyst', id: (fx) => fx.opRefutation, unknownId: UNKNOWN_UUID,
      fields: {
        claim: { type: 'string', verify: async (v, res) => assert.equal(res.body.refutation.claim, v) },
        facts: { type: 'string', verify: async (v, res) => assert.equal(res.body.refutation.facts, v) },
        url: { type: 'string', nullable: true },
      },
      sample: () => ({ facts: '坏输入更新的事实' }),
    },
    // Aimed at a refutation published with its own link: whatever gets through is refused (409), no draft article is made.
    {
      method: 'POST', path: '/api/opinion/refutations/:id/handover', as: 'analyst', id: (fx) => fx.opLinkedRefutation, unknownId: UNKNOWN_UUID,
      fields: { orgId: { type: 'string', required: true } },
      sample: (fx) => ({ orgId: fx.mediaOrg }),
    },
    {
      method: 'POST', path: '/api/opinion/keyword-groups', as: 'analyst', creates: 'opinion_keyword_groups',
      fields: {
        name: { type: 'string', required: true, verify: async (v, res) => assert.equal(res.body.group.name, v) },
        rule: { type: 'string', required: true, verify: async (v, res) => assert.equal(res.body.group.rule, v) },
        enabled: { type: 'boolean' },
      },
      sample: () => ({ name: uniqueName('坏输入组'), rule: '(口罩|酒精) AND 涨价' }),
    },
    {
      method: 'PATCH', path: '/api/opinion/keyword-groups/:id', as: 'analyst', id: (fx) => fx.opGroup,
      fields: {
        name: { type: 'string', verify: async (v, res) => assert.equal(res.body.group.name, v) },
        rule: { type: 'string', verify: async (v, res) => assert.equal(res.body.group.rule, v) },
        enabled: { type: 'boolean' },
      },
      sample: () => ({ enabled: true }),
    },
    // Aimed at a built-in group: whatever gets through is refused (409), it is never deleted.
    { method: 'DELETE', path: '/api/opinion/keyword-groups/:id', as: 'analyst', id: (fx) => fx.opBuiltinGroup },
    {
      method: 'POST', path: '/api/opinion/keyword-groups/test', as: 'analyst',
      fields: {
        rule: { type: 'string', required: true, verify: async (_v, res) => assert.equal(typeof res.body.matches, 'boolean') },
        text: { type: 'string', required: true, verify: async (_v, res) => assert.equal(typeof res.body.normalized, 'string') },
      },
      sample: () => ({ rule: '口罩 AND 涨价', text: '口罩涨价了' }),
    },
    {
      method: 'POST', path: '/api/opinion/sources', as: 'analyst', creates: 'opinion_sources',
      fields: { name: { type: 'string', required: true }, kind: { type: 'enum', required: true, values: ['push', 'rss', 'upload'] }, url: { type: 'string' }, pollMinutes: { type: 'integer' } },
      sample: () => ({ name: uniqueName('bad-src-'), kind: 'push' }),
    },
    {
      method: 'PATCH', path: '/api/opinion/sources/:id', as: 'analyst', id: (fx) => fx.opSource, unknownId: UNKNOWN_UUID,
      fields: { name: { type: 'string' }, url: { type: 'string' }, pollMinutes: { type: 'integer' }, paused: { type: 'boolean' } },
      sample: () => ({ paused: false }),
    },
    // A push source cannot be polled: whatever gets through is a 409.
    { method: 'POST', path: '/api/opinion/sources/:id/poll', as: 'analyst', id: (fx) => fx.opSource, unknownId: UNKNOWN_UUID },
    {
      method: 'PUT', path: '/api/opinion/settings', as: 'analyst',
      fields: {
        alertWebhookUrl: { type: 'string', required: true, nullable: true },
        alertWebhookSecret: {
          type: 'string', nullable: true,
          async verify(_v, res, fx) {
            assert.deepEqual(res.body, { alertWebhookUrl: null, hasSecret: true });
            assert.deepEqual((await fx.clients.analyst.get('/api/opinion/settings')).body, { alertWebhookUrl: null, hasSecret: true });
          },
        },
      },
      sample: () => ({ alertWebhookUrl: null }),
    },
    { method: 'POST', path: '/api/opinion/alerts/:id/ack', as: 'analyst', id: (fx) => fx.opAlert, unknownId: UNKNOWN_UUID },
    {
      method: 'POST', path: '/api/opinion/cases', as: 'analyst', creates: 'opinion_cases',
      fields: {
        title: { type: 'string', verify: async (v, res) => assert.equal(res.body.case.title, v) },
        clusterId: { type: 'string' },
        postId: { type: 'string' },
        category: { type: 'enum', values: OPINION_CATEGORIES },
        assigneeId: { type: 'string' },
      },
      sample: () => ({ title: '坏输入工单' }),
    },
    {
      method: 'PATCH', path: '/api/opinion/cases/:id', as: 'analyst', id: (fx) => fx.opCase, unknownId: UNKNOWN_UUID,
      fields: {
        status: { type: 'enum', values: ['new', 'verifying', 'responding', 'closed'] },
        assigneeId: { type: 'string', nullable: true },
        dueAt: { type: 'string' },
        title: { type: 'string', verify: async (v, res) => assert.equal(res.body.case.title, v) },
      },
      sample: () => ({ title: '坏输入工单（改）' }),
    },
    {
      method: 'POST', path: '/api/opinion/cases/:id/actions', as: 'analyst', id: (fx) => fx.opCase, unknownId: UNKNOWN_UUID, creates: 'opinion_case_actions',
      fields: {
        kind: { type: 'enum', required: true, values: ['note', 'publish_refutation', 'answer_concern', 'refer_regulator', 'request_removal', 'no_action'] },
        note: { type: 'string', emptyOk: true, verify: async (v, res) => assert.equal(res.body.actions.at(-1).note, v) },
        refutationId: { type: 'string' },
        claim: { type: 'string' },
        facts: { type: 'string' },
        regulator: { type: 'string' },
        platform: { type: 'string' },
        reason: { type: 'string' },
        close: { type: 'boolean' },
      },
      sample: () => ({ kind: 'note', note: '坏输入备注' }),
    },
    {
      method: 'POST', path: '/api/opinion/brief', as: 'analyst',
      fields: { date: { type: 'string' }, format: { type: 'enum', required: true, values: REPORT_FORMATS } },
      sample: () => ({ format: 'markdown' }),
    },
    {
      method: 'POST', path: '/api/media', as: 'editor', creates: 'pub_media',
      raw: {
        types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'], tooLarge: 6 * 1024 * 1024, wrongBytesExpect: [415],
        extra: [{ name: 'PNG bytes declared as image/jpeg', payload: PNG_BYTES, contentType: 'image/jpeg', expect: [400], code: 'invalid_input' }],
      },
    },
  ];
}

// ---- the cases ------------------------------------------------------------------------------------

const SQLISH = "x'; DROP TABLE users; --";
const PATHISH = '../../etc/passwd';
const MB_STRING = 'x'.repeat(1_000_000);
const DEPTH = 10_000;
const deepObject = () => {
  let s = '1';
  for (let i = 0; i < DEPTH; i++) s = `{"a":${s}}`;
  return s;
};
const DEEP_OBJECT = deepObject();
const DEEP_ARRAY = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const THREE_MB_BODY = JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) });

interface Case {
  name: string;
  /** Raw body (string/Buffer) or undefined for none. */
  payload?: string | Buffer;
  contentType?: string;
  /** Replaces the path parameter. */
  id?: string;
  /** Send this instead of the endpoint's path (for unencoded paths). */
  rawPath?: string;
  /** Which statuses pass (all must be 4xx). */
  expect: number[];
  code?: string;
  /** Free-text field and value: success is allowed, then verified. */
  freeText?: { spec: FieldSpec; value: string };
}

type FieldPath = (string | number)[];
const json = 'application/json';
const label = (path: FieldPath) => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');

/** The sample as JSON with the value at `path` replaced by raw JSON (possibly huge or deeply nested). */
function withField(sample: Record<string, unknown>, path: FieldPath, rawValue: string) {
  const copy = structuredClone(sample) as any;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path.at(-1)!] = '__RAW_VALUE__';
  return JSON.stringify(copy).replace('"__RAW_VALUE__"', () => rawValue);
}
function without(sample: Record<string, unknown>, path: FieldPath) {
  const copy = structuredClone(sample) as any;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  delete at[path.at(-1)!];
  return JSON.stringify(copy);
}

/** Cases for the transport: apply to every write endpoint, with or without a body schema. */
function transportCases(sampleJson: string, largeBody?: { limit: number }): Case[] {
  const utf8Broken = Buffer.concat([Buffer.from('{"x":"ab'), Buffer.from([0xff, 0xfe]), Buffer.from('cd"}')]);
  const inSample = sampleJson.length > 2
    ? Buffer.concat([Buffer.from(sampleJson.slice(0, -1) + ',"zz":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])
    : utf8Broken;
  return [
    { name: 'malformed JSON `{bad`', payload: '{bad', contentType: json, expect: [400], code: 'invalid_input' },
    { name: 'truncated JSON', payload: sampleJson.slice(0, -1), contentType: json, expect: [400], code: 'invalid_input' },
    { name: 'invalid UTF-8 (0xff 0xfe) inside a JSON string', payload: utf8Broken, contentType: json, expect: [400], code: 'invalid_input' },
    { name: 'invalid UTF-8 inside an otherwise valid body', payload: inSample, contentType: json, expect: [400], code: 'invalid_input' },
    largeBody
      ? { name: '3 MB body (allowed size, unknown field)', payload: THREE_MB_BODY, contentType: json, expect: [400], code: 'invalid_input' }
      : { name: '3 MB body', payload: THREE_MB_BODY, contentType: json, expect: [413], code: 'payload_too_large' },
    ...(largeBody ? [{ name: 'body over the route limit', payload: Buffer.alloc(largeBody.limit + 1024, 0x20), contentType: json, expect: [413], code: 'payload_too_large' }] : []),
  ];
}

function fieldCases(sample: Record<string, unknown>, path: FieldPath, spec: FieldSpec): Case[] {
  const f = label(path);
  const cases: Case[] = [];
  const put = (name: string, raw: string, expect = [400], extra: Partial<Case> = {}) =>
    cases.push({ name: `${f}: ${name}`, payload: withField(sample, path, raw), contentType: json, expect, ...extra });
  if (spec.required) cases.push({ name: `${f}: missing`, payload: without(sample, path), contentType: json, expect: [400], code: 'invalid_input' });
  put('10,000-level nested object', DEEP_OBJECT);
  if (!['object[]', 'enum[]', 'string[]'].includes(spec.type)) put('array', '[]');
  if (!spec.nullable) put('null', 'null');
  if (spec.type === 'string' || spec.type === 'enum') {
    put('number instead of string', '123', [400], { code: 'invalid_input' });
    put('boolean instead of string', 'true');
    put('1 MB string', JSON.stringify(MB_STRING), [400, 413]);
    if (!spec.emptyOk) put('empty string', '""', [400], { code: 'invalid_input' });
  }
  if (spec.type === 'string') {
    for (const [name, v] of [['SQL-looking string', SQLISH], ['path-looking string', PATHISH]] as const) {
      // Reference fields may find nothing (401/403/404/409), validated formats refuse (400).
      put(name, JSON.stringify(v), [400, 401, 403, 404, 409], spec.verify ? { freeText: { spec, value: v } } : {});
    }
  }
  if (spec.type === 'enum') {
    put('unknown enum value', '"galaxy"', [400], { code: 'invalid_input' });
    put('SQL-looking enum value', JSON.stringify(SQLISH));
    put('enum value in other case', JSON.stringify(spec.values![0]!.toUpperCase()));
  }
  if (spec.type === 'enum[]') {
    put('unknown enum value in the array', '["god"]', [400], { code: 'invalid_input' });
    put('SQL-looking value in the array', JSON.stringify([SQLISH]));
    put('single value instead of an array', JSON.stringify(spec.values![3]));
    put('array of numbers', '[1,2]');
    if (spec.required) put('empty array', '[]');
  }
  if (spec.type === 'integer' || spec.type === 'number') {
    put('string instead of number', '"10"', [400], { code: 'invalid_input' });
    put('SQL-looking string instead of number', JSON.stringify(SQLISH));
    put('boolean instead of number', 'false');
    put('negative', '-1');
    put('overflow 1e309', '1e309');
    put('huge number', '123456789012345678901234567890');
    if (spec.type === 'integer') put('fraction', '10.5');
  }
  if (spec.type === 'boolean') {
    put('string instead of boolean', '"true"', [400], { code: 'invalid_input' });
    put('number instead of boolean', '1');
  }
  if (spec.type === 'object') {
    put('string instead of an object', JSON.stringify(SQLISH));
    put('number instead of an object', '42');
    put('array of objects instead of an object', '[{}]');
    put('number as a value in the map', JSON.stringify({ [spec.key ?? 'x']: 123 }));
    put('nested object as a value in the map', JSON.stringify({ [spec.key ?? 'x']: { a: { b: 1 } }, [`${spec.key ?? 'x'}2`]: [] }));
    put('SQL-looking key with a wrong value', JSON.stringify({ [SQLISH]: 1 }));
  }
  if (spec.type === 'string[]') {
    put('object instead of an array', '{}');
    put('string instead of an array', JSON.stringify(SQLISH));
    put('array of numbers', '[1,2]');
    put('array of nulls', '[null]');
    put('array of arrays', '[[]]');
    put('array of empty strings', '[""]');
    put('array with a 1 MB string', JSON.stringify([MB_STRING]), [400, 413]);
    if (spec.maxItems) put(`${spec.maxItems + 1} items`, JSON.stringify(Array.from({ length: spec.maxItems + 1 }, (_, i) => `第${i}项`)));
  }
  if (spec.type === 'object[]') {
    put('object instead of an array', '{}');
    put('string instead of an array', JSON.stringify(SQLISH));
    put('array of numbers', '[1,2]');
    put('array of arrays', '[[]]');
    put('array of 10,000-level nested objects', `[${DEEP_OBJECT}]`);
    if (spec.required) put('empty array', '[]');
    const item = (sample as any)[path[0]!][0];
    if (spec.maxItems) {
      put(`${spec.maxItems + 1} items`, JSON.stringify(Array.from({ length: spec.maxItems + 1 }, () => item)), [400, 413]);
    }
    put('unknown field in an item', JSON.stringify([{ ...item, unexpectedField: 1 }]), [400], { code: 'invalid_input' });
    for (const [k, sub] of Object.entries(spec.items!)) cases.push(...fieldCases(sample, [...path, 0, k], sub));
  }
  return cases;
}

function bodyCases(ep: WriteEndpoint, sample: Record<string, unknown>): Case[] {
  const s = JSON.stringify(sample);
  const cases: Case[] = [
    { name: 'JSON array instead of an object', payload: `[${s}]`, contentType: json, expect: [400] },
    { name: 'empty JSON array', payload: '[]', contentType: json, expect: [400] },
    { name: 'JSON string instead of an object', payload: '"text"', contentType: json, expect: [400] },
    { name: 'JSON null', payload: 'null', contentType: json, expect: [400] },
    { name: 'JSON number', payload: '42', contentType: json, expect: [400] },
    { name: 'empty body with application/json', payload: '', contentType: json, expect: [400] },
    { name: 'no body and no content-type', expect: [400] },
    { name: 'wrong content-type text/plain', payload: s, contentType: 'text/plain', expect: [400, 415] },
    { name: 'wrong content-type form-urlencoded', payload: 'a=b', contentType: 'application/x-www-form-urlencoded', expect: [415], code: 'unsupported_media_type' },
    { name: 'unknown extra field', payload: JSON.stringify({ ...sample, unexpectedField: 'x' }), contentType: json, expect: [400], code: 'invalid_input' },
    { name: '__proto__ key', payload: s.slice(0, -1) + (s.length > 2 ? ',' : '') + '"__proto__":{"isAdmin":true}}', contentType: json, expect: [400] },
    { name: '10,000-level nested object as the body', payload: DEEP_OBJECT, contentType: json, expect: [400] },
    { name: '10,000-level nested array as the body', payload: DEEP_ARRAY, contentType: json, expect: [400] },
  ];
  for (const [f, spec] of Object.entries(ep.fields!)) cases.push(...fieldCases(sample, [f], spec));
  // Where the whole body is optional, no body is valid input: not a case here.
  return ep.bodyOptional ? cases.filter((c) => !['empty body with application/json', 'no body and no content-type'].includes(c.name)) : cases;
}

/** Cases for a raw file body (an image, an .xlsx file): types, empty and wrong bytes, size. */
function rawCases(ep: WriteEndpoint): Case[] {
  const raw = ep.raw!;
  const type = raw.types[0]!;
  const cases: Case[] = [
    { name: 'JSON instead of a file', payload: '{"file":"x"}', contentType: json, expect: [400, 415] },
    { name: 'malformed JSON instead of a file', payload: '{bad', contentType: json, expect: [400, 415] },
    { name: 'wrong content-type text/plain', payload: 'just text', contentType: 'text/plain', expect: [400, 415] },
    { name: 'wrong content-type multipart/form-data', payload: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x', expect: [400, 415] },
    { name: 'wrong content-type form-urlencoded', payload: 'a=b', contentType: 'application/x-www-form-urlencoded', expect: [400, 415] },
    { name: 'no body and no content-type', expect: [400, 415] },
    ...raw.types.map((t) => ({ name: `empty body as ${t}`, payload: Buffer.alloc(0), contentType: t, expect: [400, 415] })),
    ...raw.types.map((t) => ({ name: `text bytes as ${t}`, payload: Buffer.from("x'; DROP TABLE users; --"), contentType: t, expect: raw.wrongBytesExpect })),
    { name: `random bytes as ${type}`, payload: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), contentType: type, expect: raw.wrongBytesExpect },
    { name: `zip signature only as ${type}`, payload: Buffer.from('504b0304', 'hex'), contentType: type, expect: raw.wrongBytesExpect },
    ...(raw.extra ?? []),
  ];
  if (raw.tooLarge) cases.push({ name: `${raw.tooLarge / 1024 / 1024} MB body`, payload: Buffer.alloc(raw.tooLarge, 0x41), contentType: type, expect: [413], code: 'payload_too_large' });
  return cases;
}

function idCases(ep: WriteEndpoint, sampleJson: string | undefined): Case[] {
  const param = /:(\w+)/.exec(ep.path)![0];
  const [head, tail] = ep.path.split(param);
  // The body is valid, so only the path parameter is wrong.
  const body: Partial<Case> = sampleJson ? { payload: sampleJson, contentType: json } : {};
  return (<Case[]>[
    { name: `${param} SQL-looking`, id: encodeURIComponent(SQLISH), expect: [400, 404] },
    { name: `${param} path-looking (encoded)`, id: encodeURIComponent(PATHISH), expect: [400, 404] },
    { name: `${param} ..%2F..%2Fetc`, id: '..%2F..%2Fetc', expect: [400, 404] },
    { name: `${param} path-looking (raw)`, rawPath: `${head}${PATHISH}${tail}`, expect: [400, 404] },
    { name: `${param} NUL byte`, id: 'a%00b', expect: [400, 404] },
    { name: `${param} Chinese`, id: encodeURIComponent('组织'), expect: [400, 404] },
    { name: `${param} broken %-escape`, id: '%E0%A4%A', expect: [400, 404] },
    // Well-formed for string ids (then unknown), malformed for numeric ones.
    { name: `${param} negative number`, id: '-1', expect: [400, 404, 409] },
    { name: `${param} huge number`, id: '99999999999999999999999', expect: [400, 404, 409] },
    { name: `${param} 65 characters`, id: 'a'.repeat(65), expect: [400, 404] },
    { name: `${param} 300 characters`, id: 'a'.repeat(300), expect: [400, 404] },
    // Well-formed but unknown: not found (a job retry says conflict: only failed jobs can be retried).
    { name: `${param} unknown`, id: ep.unknownId ?? 'unknown-id-0000', expect: ep.unknownIdExpect ?? [404, 409] },
  ]).map((c) => ({ ...body, ...c }));
}

function casesFor(ep: WriteEndpoint, sample: Record<string, unknown> | undefined): Case[] {
  const s = sample ? JSON.stringify(sample) : '{}';
  if (ep.raw) return rawCases(ep);
  return [...transportCases(s, ep.largeBody), ...(ep.fields ? bodyCases(ep, sample!) : []), ...(ep.id ? idCases(ep, sample ? s : undefined) : [])];
}

// ---- helpers ----------------------------------------------------------------------------------------

const hasChinese = (s: unknown) => typeof s === 'string' && /[\u4e00-\u9fff]/.test(s);

/** Rows per table, in one round trip (two per case: on PostgreSQL, 22 separate counts were most of this file's time). */
const COUNTS_SQL = sql.raw(`SELECT ${TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(', ')}`);
async function counts(ctx: TestContext): Promise<Record<Table, number>> {
  const { rows } = await COUNTS_SQL.execute(ctx.kernel.db);
  const row = rows[0] as Record<Table, number | string>;
  return Object.fromEntries(TABLES.map((t) => [t, Number(row[t])])) as Record<Table, number>;
}

async function snapshot(ctx: TestContext, fx: Fixture) {
  const db = ctx.kernel.db;
  const orgs = await db.selectFrom('orgs').select(['id', 'parent_id', 'name', 'kind', 'code']).orderBy('id').execute();
  const users = await db.selectFrom('users').select(['id', 'username', 'display_name', 'org_id', 'disabled', 'locked_until', 'password_hash']).orderBy('id').execute();
  const roles = await db.selectFrom('user_roles').select(['user_id', 'role']).orderBy('user_id').orderBy('role').execute();
  const policy = await db.selectFrom('settings').select('value').where('key', '=', 'password_policy').executeTakeFirst();
  const drafts = await db.selectFrom('pub_content').select(['id', 'status']).where('id', 'in', [fx.draft, fx.liveDraft]).orderBy('id').execute();
  const doomedRecord = await db.selectFrom('outreach_records').select(['status', 'value_c', 'note']).where('id', '=', Number(fx.doomedRecord) as any).executeTakeFirst();
  return {
    // The sandboxes may legitimately be renamed / get a new password by free-text cases.
    orgs: orgs.map((o) => (o.id === fx.sandboxOrg ? { ...o, name: '(sandbox)' } : o)),
    users: users.map((u) => (u.id === fx.sandboxUser ? { ...u, display_name: '(sandbox)', password_hash: '(sandbox)' } : u)),
    roles,
    policy: policy?.value ?? null,
    drafts,
    doomedRecord: doomedRecord ? { ...doomedRecord, value_c: Number(doomedRecord.value_c) } : null,
  };
}

/** OpenAPI property schema → how a FieldSpec describes it (recursively for arrays of objects). */
function describeSchema(s: any): unknown {
  if (s.anyOf) {
    const non = s.anyOf.filter((x: any) => x.type !== 'null');
    const inner = describeSchema(non[0]) as any;
    return { ...inner, kind: inner.kind + (non.length < s.anyOf.length ? '|null' : '') };
  }
  if (s.enum) return { kind: 'enum', values: s.enum };
  if (s.type === 'array' && s.items?.enum) return { kind: 'enum[]', values: s.items.enum };
  if (s.type === 'array' && s.items?.type === 'object') return { kind: 'object[]', items: describeObject(s.items) };
  if (s.type === 'array' && s.items?.type === 'string') return { kind: 'string[]' };
  return { kind: s.type };
}
function describeObject(schema: any) {
  assert.equal(schema.additionalProperties, false, 'refuses unknown fields');
  return Object.fromEntries(
    Object.entries<any>(schema.properties).map(([k, v]) => [k, { ...(describeSchema(v) as object), required: (schema.required ?? []).includes(k) }]),
  );
}
function describeSpec(fields: Record<string, FieldSpec>): unknown {
  return Object.fromEntries(
    Object.entries(fields).map(([k, f]) => [
      k,
      {
        kind: f.type + (f.nullable ? '|null' : ''),
        ...(f.values ? { values: [...f.values] } : {}),
        ...(f.items ? { items: describeSpec(f.items) } : {}),
        required: !!f.required,
      },
    ]),
  );
}

// ---- the suite ----------------------------------------------------------------------------------------

describeEachDb('bad input to every write endpoint', (ctx) => {
  const fx = {} as Fixture;
  const eps = endpoints(ctx);
  let start: Record<Table, number>;
  let startSnapshot: Awaited<ReturnType<typeof snapshot>>;
  const created = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>;
  const newIds = { orgs: new Set<string>(), users: new Set<string>() };

  before(async () => {
    const c = ctx();
    fx.yesterday = localDate(new Date(Date.now() - 24 * 3600_000), c.config.timeZone);
    fx.parent = await c.org(c.rootOrgId, 'township', '坏输入镇');
    fx.sandboxOrg = await c.org(fx.parent, 'village', '沙箱村');
    fx.doomedOrg = await c.org(fx.parent, 'village', '不可删村');
    fx.mediaOrg = await c.org(c.rootOrgId, 'media', '坏输入融媒体中心');
    const sandbox = await c.admin.post('/api/users', { username: 'sandbox_user', password: USER_PASSWORD, displayName: '沙箱用户', orgId: fx.parent, roles: ['reporter'] });
    assert.equal(sandbox.status, 201);
    fx.sandboxUser = sandbox.body.user.id;
    const token = await c.admin.post('/api/auth/tokens', { name: '坏输入测试令牌' });
    assert.equal(token.status, 201);
    fx.tokenId = token.body.id;
    fx.clients = {
      admin: c.admin,
      security_admin: await c.user(c.rootOrgId, ['security_admin'], 'bad_secadm'),
      publicity: await c.user(c.rootOrgId, ['publicity'], 'bad_publicity'),
      editor: await c.user(fx.mediaOrg, ['editor'], 'bad_editor'),
      reviewer: await c.user(fx.mediaOrg, ['reviewer'], 'bad_reviewer'),
      analyst: await c.user(c.rootOrgId, ['opinion_analyst'], 'bad_analyst'),
      anon: c.anon,
      throwaway: await c.login('admin', ADMIN_PASSWORD),
    };
    fx.policy = (await fx.clients.security_admin.get('/api/security/policy')).body.policy;
    await c.user(c.rootOrgId, ['auditor'], 'bad_auditor');
    const indicator = await c.admin.post('/api/outreach/indicators', { code: 'bad_sandbox', name: '沙箱指标', unit: '个' });
    assert.equal(indicator.status, 201, JSON.stringify(indicator.body));
    fx.sandboxIndicator = 'bad_sandbox';
    const records = await fx.clients.publicity.post('/api/outreach/records', {
      records: [1, 2].map((value) => ({ clientId: crypto.randomUUID(), orgId: fx.sandboxOrg, date: fx.yesterday, indicator: 'leaflets', value })),
    });
    assert.equal(records.status, 200, JSON.stringify(records.body));
    fx.sandboxRecord = String(records.body.results[0].id);
    fx.doomedRecord = String(records.body.results[1].id);
    // Publishing: two drafts (one a live blog) that stay drafts, and a published item with deliveries.
    const { editor, reviewer } = fx.clients;
    const draft = async (kind: string, channels = ['website']) => {
      const res = await editor.post('/api/content', { kind, title: `坏输入${kind}`, body: '<p>正文</p>', theme: 'progress', channels });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.content.id as string;
    };
    fx.draft = await draft('news');
    fx.liveDraft = await draft('live');
    const published = await draft('news', ['website', 'wechat', 'weibo', 'tv']);
    assert.equal((await editor.post(`/api/content/${published}/submit`)).status, 200);
    assert.equal((await reviewer.post(`/api/content/${published}/approve`)).status, 200);
    const pub = await editor.post(`/api/content/${published}/publish`, {});
    assert.equal(pub.status, 200, JSON.stringify(pub.body));
    // The website delivery is confirmed at once (a second confirmation changes nothing): the others wait.
    const deliveries = (await editor.get(`/api/content/${published}`)).body.deliveries;
    fx.deliveries = deliveries.filter((d: any) => d.status !== 'confirmed').map((d: any) => d.id);
    fx.confirmedDelivery = deliveries.find((d: any) => d.channel === 'website').id;
    const hook = await c.admin.post('/api/publishing/webhooks', { url: 'https://hooks.example.org/bad-input', channels: ['mobile_paper'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    fx.webhook = hook.body.webhook.id;
    assert.equal(fx.deliveries.length, 3, JSON.stringify(deliveries));
    // Opinion: an analyst, a post with its cluster, a refutation, groups, a push source, an alert and a case.
    const analyst = fx.clients.analyst;
    const ingested = await analyst.post('/api/opinion/posts', { posts: [{ source: 'bad-input', externalId: 'fixture-1', text: '坏输入夹具：西坝市场白菜一夜涨到十元', publishedAt: new Date(Date.now() - 60_000).toISOString() }] });
    assert.equal(ingested.status, 200, JSON.stringify(ingested.body));
    fx.opPost = ingested.body.results[0].id;
    fx.opCluster = ingested.body.results[0].clusterId;
    const refutation = await analyst.post('/api/opinion/refutations', { claim: '坏输入夹具说法', facts: '坏输入夹具事实' });
    assert.equal(refutation.status, 201, JSON.stringify(refutation.body));
    fx.opRefutation = refutation.body.refutation.id;
    const linked = await analyst.post('/api/opinion/refutations', { claim: '坏输入夹具已发布说法', facts: '坏输入夹具事实', url: 'https://example.gov.cn/piyao/fixture' });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    fx.opLinkedRefutation = linked.body.refutation.id;
    const group = await analyst.post('/api/opinion/keyword-groups', { name: '坏输入夹具组', rule: '白菜 AND 涨' });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    fx.opGroup = group.body.group.id;
    fx.opBuiltinGroup = (await analyst.get('/api/opinion/keyword-groups')).body.groups.find((g: any) => g.builtin).id;
    const source = await analyst.post('/api/opinion/sources', { name: 'bad-input-push', kind: 'push' });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    fx.opSource = source.body.source.id;
    fx.opAlert = crypto.randomUUID();
    await c.kernel.db.insertInto('opinion_alerts').values({
      id: fx.opAlert, org_id: c.rootOrgId, series: 'all', hour: '2026-01-01T00', count: 50, baseline: 2, reason: '坏输入夹具预警', top_cluster_id: null,
      webhook_status: null, acknowledged_by: null, acknowledged_at: null, created_at: new Date().toISOString(),
    }).execute();
    const kase = await analyst.post('/api/opinion/cases', { postId: fx.opPost });
    assert.equal(kase.status, 201, JSON.stringify(kase.body));
    fx.opCase = kase.body.case.id;
    start = await counts(c);
    startSnapshot = await snapshot(c, fx);
  });

  test('every write endpoint the app publishes has bad-input cases here', () => {
    const paths = (ctx().app.swagger() as any).paths as Record<string, Record<string, unknown>>;
    const published = new Set<string>();
    for (const [p, ops] of Object.entries(paths)) {
      for (const m of Object.keys(ops)) {
        if (['post', 'put', 'patch', 'delete'].includes(m)) published.add(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    const covered = new Set(eps.map((e) => `${e.method} ${e.path}`));
    const missing = [...published].filter((k) => !covered.has(k));
    const stale = [...covered].filter((k) => !published.has(k));
    assert.deepEqual(missing, [], `write endpoints without bad-input cases in test/api/bad-input.test.ts: ${missing.join(', ')}`);
    assert.deepEqual(stale, [], `cases for endpoints that no longer exist: ${stale.join(', ')}`);
  });

  test('the fields described here match each endpoint\'s published request schema', () => {
    const paths = (ctx().app.swagger() as any).paths as Record<string, Record<string, any>>;
    for (const ep of eps) {
      const op = paths[ep.path.replace(/:(\w+)/g, '{$1}')]?.[ep.method.toLowerCase()];
      if (!op) continue; // reported by the test above
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const name = `${ep.method} ${ep.path}`;
      if (!ep.fields) {
        assert.equal(schema, undefined, `${name} takes a body now: describe its fields`);
        continue;
      }
      assert.ok(schema, `${name} publishes no request body`);
      assert.deepEqual(describeSpec(ep.fields), describeObject(schema), name);
    }
  });

  for (const ep of eps) {
    // Test names are fixed before the fixture exists; the sample is rebuilt per case.
    const placeholder = { parent: 'p', policy: {}, yesterday: '2026-01-01' } as unknown as Fixture;
    const probe = casesFor(ep, ep.sample?.(placeholder));
    // Built once from the real fixture; a case that may succeed gets a fresh sample (unique names).
    let built: Case[] | undefined;
    probe.forEach((probeCase, i) => {
      test(`${ep.method} ${ep.path}: ${probeCase.name} → ${probeCase.freeText ? '4xx or stored verbatim' : probeCase.expect.join('/')}`, async () => {
        const c = ctx();
        const cs = probeCase.freeText ? casesFor(ep, ep.sample?.(fx))[i]! : (built ??= casesFor(ep, ep.sample?.(fx)))[i]!;
        assert.equal(cs.name, probeCase.name);
        const id = cs.id ?? ep.id?.(fx);
        const path = cs.rawPath ?? (id !== undefined ? ep.path.replace(/:\w+/, id) : ep.path);
        const url = ep.query ? `${path}?${ep.query(fx)}` : path;
        const before = await counts(c);
        const res = await fx.clients[ep.as].request(ep.method, url, cs.payload, {
          headers: cs.contentType ? { 'content-type': cs.contentType } : {},
        });
        const after = await counts(c);

        if (cs.freeText && res.status >= 200 && res.status < 300) {
          await cs.freeText.spec.verify!(cs.freeText.value, res, fx, JSON.parse(cs.payload as string));
          const expected = { ...before };
          if (ep.creates) {
            expected[ep.creates]++;
            created[ep.creates]++;
          }
          if (ep.creates === 'orgs') newIds.orgs.add(res.body.org.id);
          if (ep.creates === 'users') newIds.users.add(res.body.user.id);
          assert.deepEqual(after, expected, 'one row added, nothing else');
          return;
        }
        assert.ok(res.status >= 400 && res.status < 500, `expected 4xx, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        assert.ok(cs.expect.includes(res.status), `expected ${cs.expect.join('/')}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        assert.equal(typeof res.body, 'object', `JSON error body, got ${String(res.body).slice(0, 200)}`);
        assert.deepEqual(Object.keys(res.body), ['error']);
        assert.match(res.body.error.code, /^[a-z]+(_[a-z]+)*$/);
        if (cs.code) assert.equal(res.body.error.code, cs.code);
        assert.equal(typeof res.body.error.message, 'string');
        assert.ok(res.body.error.message.length > 0 && hasChinese(res.body.error.message), `Chinese message: ${res.body.error.message}`);
        assert.deepEqual(after, before, 'no row was added');
      });
    });
  }

  test('afterwards: health is ok, counts moved only by accepted free-text input, nothing else changed', async () => {
    const c = ctx();
    const health = await c.anon.get('/api/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { ok: true, db: c.engine });
    const now = await counts(c);
    assert.deepEqual(now, Object.fromEntries(TABLES.map((t) => [t, start[t] + created[t]])));
    // SQL- and path-looking names, notes and display names are ordinary text: they were accepted.
    assert.deepEqual(created, {
      orgs: 2, users: 3, api_tokens: 2, outreach_records: 4, outreach_indicators: 2, outreach_imports: 0,
      pub_content: 8, pub_comments: 2, pub_live_entries: 2, pub_deliveries: 0, pub_events: 2, pub_press_conferences: 4, pub_coverage: 6, pub_media: 0,
      report_templates: 2, report_archive: 0,
      opinion_posts: 6, opinion_refutations: 4, opinion_keyword_groups: 4, opinion_sources: 0, opinion_cases: 2, opinion_case_actions: 2,
    });
    const snap = await snapshot(c, fx);
    assert.deepEqual(
      { ...snap, orgs: snap.orgs.filter((o) => !newIds.orgs.has(o.id)), users: snap.users.filter((u) => !newIds.users.has(u.id)), roles: snap.roles.filter((r) => !newIds.users.has(r.user_id)) },
      startSnapshot,
    );
    // The admin's sessions survived, the doomed org, record and the token still exist.
    assert.equal((await c.admin.get('/api/auth/me')).status, 200);
    assert.equal((await fx.clients.throwaway.get('/api/auth/me')).status, 200, 'the throwaway session was never logged out');
    assert.equal((await c.admin.get(`/api/orgs/${fx.doomedOrg}`)).status, 200);
    assert.equal((await fx.clients.publicity.get(`/api/outreach/records/${fx.doomedRecord}`)).body.record.status, 'counted');
    assert.ok((await c.admin.get('/api/auth/tokens')).body.tokens.some((t: any) => t.id === fx.tokenId));
    const hooks = (await c.admin.get('/api/publishing/webhooks')).body.webhooks;
    assert.deepEqual(hooks.map((w: any) => [w.id, w.url, w.channels, w.paused]), [[fx.webhook, 'https://hooks.example.org/bad-input', ['mobile_paper'], false]], 'the webhook endpoint is untouched');
    const auditor = await c.login('bad_auditor');
    const verify = await auditor.get('/api/audit/verify');
    assert.equal(verify.body.ok, true);
  });
});
