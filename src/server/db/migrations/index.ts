// The ordered list of migrations. Each is timestamped and typed Kysely<any>; add new ones at the end.
import type { Migration } from 'kysely';
import * as m20261128_0001 from './20261128_0001_foundation.ts';
import * as m20261128_0002 from './20261128_0002_outreach.ts';
import * as m20261128_0003 from './20261128_0003_reports.ts';
import * as m20261128_0004 from './20261128_0004_publishing.ts';
import * as m20261128_0005 from './20261128_0005_outreach_rollups_clustered.ts';
import * as m20261128_0006 from './20261128_0006_opinion.ts';
import * as m20261128_0007 from './20261128_0007_opinion_candidate_keys.ts';
import * as m20261129_0008 from './20261129_0008_opinion_rep_sketch.ts';
import * as m20261129_0009 from './20261129_0009_opinion_bigram_bands.ts';
import * as m20261129_0010 from './20261129_0010_opinion_cluster_merge.ts';
import * as m20261129_0011 from './20261129_0011_opinion_rep_post.ts';
import * as m20261129_0012 from './20261129_0012_opinion_cluster_moves.ts';

export const migrations: Record<string, Migration> = {
  '20261128_0001_foundation': m20261128_0001,
  '20261128_0002_outreach': m20261128_0002,
  '20261128_0003_reports': m20261128_0003,
  '20261128_0004_publishing': m20261128_0004,
  '20261128_0005_outreach_rollups_clustered': m20261128_0005,
  '20261128_0006_opinion': m20261128_0006,
  '20261128_0007_opinion_candidate_keys': m20261128_0007,
  '20261129_0008_opinion_rep_sketch': m20261129_0008,
  '20261129_0009_opinion_bigram_bands': m20261129_0009,
  '20261129_0010_opinion_cluster_merge': m20261129_0010,
  '20261129_0011_opinion_rep_post': m20261129_0011,
  '20261129_0012_opinion_cluster_moves': m20261129_0012,
};
