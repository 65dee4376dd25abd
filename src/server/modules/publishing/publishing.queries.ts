import type { DbOrTrx } from '../../db/index.ts';
import type { PubContentTable } from '../../db/types.ts';

export const findContent = (db: DbOrTrx, id: string) =>
  db
    .selectFrom('pub_content as c')
    .leftJoin('users as u', 'u.id', 'c.author_id')
    .selectAll('c')
    .select('u.display_name as author_name')
    .where('c.id', '=', id)
    .executeTakeFirst();

export type ContentRow = NonNullable<Awaited<ReturnType<typeof findContent>>>;

export const insertContent = (db: DbOrTrx, row: PubContentTable) => db.insertInto('pub_content').values(row).execute();

export const insertVersion = (db: DbOrTrx, row: { content_id: string; version: number; title: string; body_html: string; edited_by: string; note: string | null; created_at: string }) =>
  db.insertInto('pub_versions').values(row).execute();

export function listContent(
  db: DbOrTrx,
  q: { rootOrgId: string; status?: string; kind?: string; theme?: string; terms?: string[]; limit: number; offset: number },
) {
  let query = db
    .selectFrom('pub_content as c')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'c.org_id').on('oc.ancestor_id', '=', q.rootOrgId))
    .leftJoin('users as u', 'u.id', 'c.author_id')
    .selectAll('c')
    .select('u.display_name as author_name')
    .orderBy('c.updated_at', 'desc')
    .limit(q.limit)
    .offset(q.offset);
  if (q.status) query = query.where('c.status', '=', q.status);
  if (q.kind) query = query.where('c.kind', '=', q.kind);
  if (q.theme) query = query.where('c.theme', '=', q.theme);
  for (const t of q.terms ?? []) query = query.where('c.search_text', 'like', `% ${t} %`);
  return query.execute();
}

/** Published items for the public site, newest first. */
export function listPublished(db: DbOrTrx, q: { kind?: string; theme?: string; terms?: string[]; limit: number; offset: number }) {
  let query = db
    .selectFrom('pub_content')
    .select(['id', 'kind', 'theme', 'title', 'summary', 'body_html', 'is_repost', 'source_name', 'published_at', 'updated_at', 'correction_note', 'search_text'])
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('id')
    .limit(q.limit)
    .offset(q.offset);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.theme) query = query.where('theme', '=', q.theme);
  for (const t of q.terms ?? []) query = query.where('search_text', 'like', `% ${t} %`);
  return query.execute();
}

export const deliveriesOf = (db: DbOrTrx, contentId: string) =>
  db.selectFrom('pub_deliveries').selectAll().where('content_id', '=', contentId).orderBy('channel').execute();
