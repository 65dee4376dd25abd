// Ancestors of orgs, cached per process. Orgs never move in the tree (there is no move operation,
// and an org with records cannot be deleted), so a cached ancestor list never goes stale.
import type { DbOrTrx } from '../../db/index.ts';
import { ancestorsOf } from './outreach.queries.ts';

export class Ancestry {
  private cache = new Map<string, string[]>();

  /** Ancestor ids per org (itself first); unknown orgs are absent from the map. */
  async of(db: DbOrTrx, orgIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const missing: string[] = [];
    for (const id of orgIds) {
      const hit = this.cache.get(id);
      if (hit) out.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) {
      for (const [id, list] of await ancestorsOf(db, missing)) {
        this.cache.set(id, list);
        out.set(id, list);
      }
    }
    return out;
  }
}
