import type { DbOrTrx } from '../../db/index.ts';
import type { ReportArchiveTable } from '../../db/types.ts';

export const latestTemplate = (db: DbOrTrx, name: string) =>
  db.selectFrom('report_templates').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();

export const templateVersions = (db: DbOrTrx, name: string) =>
  db
    .selectFrom('report_templates as t')
    .leftJoin('users as u', 'u.id', 't.created_by')
    .select(['t.version', 't.note', 't.created_at', 'u.display_name as created_by_name'])
    .where('t.name', '=', name)
    .orderBy('t.version', 'desc')
    .execute();

export const insertTemplate = (db: DbOrTrx, row: { name: string; version: number; parts: string; note: string | null; created_by: string | null; created_at: string }) =>
  db.insertInto('report_templates').values(row).execute();

export const insertArchive = (db: DbOrTrx, row: ReportArchiveTable) => db.insertInto('report_archive').values(row).execute();

/** Archived reports of orgs in the subtree of rootOrgId, newest first, without their bytes. */
export const listArchive = (db: DbOrTrx, rootOrgId: string, limit: number) =>
  db
    .selectFrom('report_archive as r')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'r.org_id').on('c.ancestor_id', '=', rootOrgId))
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .select(['r.id', 'r.kind', 'r.org_id', 'r.period_from', 'r.period_to', 'r.format', 'r.params', 'r.template_version', 'r.as_of', 'r.content_hash', 'r.size', 'r.created_at', 'u.display_name as created_by_name'])
    .orderBy('r.created_at', 'desc')
    .limit(limit)
    .execute();

export const findArchive = (db: DbOrTrx, id: string) => db.selectFrom('report_archive').selectAll().where('id', '=', id).executeTakeFirst();
