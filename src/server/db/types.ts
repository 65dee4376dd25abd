// Table types for Kysely. Column names are snake_case as stored; presenters map them to camelCase.
import type { Generated } from 'kysely';

export interface OrgsTable {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  code: string | null;
  created_at: string;
  updated_at: string;
}
export interface OrgClosureTable {
  ancestor_id: string;
  descendant_id: string;
  depth: number;
}
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  org_id: string;
  password_hash: string;
  disabled: number;
  locked_until: string | null;
  bootstrap: number;
  password_changed_at: string;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}
export interface UserRolesTable {
  user_id: string;
  role: string;
}
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  created_at: string;
  last_seen_at: string;
}
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
export interface LoginFailuresTable {
  username: string;
  count: number;
  locked_until: string | null;
  updated_at: string;
}
export interface RateLimitsTable {
  key: string;
  window_start: string;
  count: number;
}
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}
export interface AuditEventsTable {
  seq: number;
  at: string;
  actor_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  detail: string | null;
  algo: string;
  prev_hash: string;
  hash: string;
}
export interface JobsTable {
  id: string;
  type: string;
  payload: string;
  status: string;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  lease_until: string | null;
  locked_by: string | null;
  last_error: string | null;
  unique_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface OutreachIndicatorsTable {
  code: string;
  name: string;
  unit: string;
  decimals: number;
  max_per_record: number | null;
  builtin: number;
  active: number;
  sort: number;
  created_at: string;
}
export interface OutreachRecordsTable {
  id: Generated<number>;
  client_id: string;
  org_id: string;
  date: string;
  indicator: string;
  value_c: number;
  note: string | null;
  status: string;
  review_reason: string | null;
  source: string;
  import_id: string | null;
  replaces_id: number | null;
  created_by: string;
  created_at: string;
  updated_by: string | null;
  updated_at: string | null;
}
export interface OutreachRollupsTable {
  org_id: string;
  indicator: string;
  date: string;
  total_c: number;
  records: number;
}
export interface OutreachImportsTable {
  id: string;
  org_id: string;
  file_name: string | null;
  file_hash: string;
  status: string;
  preview: string;
  created_by: string;
  created_at: string;
  confirmed_at: string | null;
}

export interface ReportTemplatesTable {
  name: string;
  version: number;
  parts: string;
  note: string | null;
  created_by: string | null;
  created_at: string;
}
export interface ReportArchiveTable {
  id: string;
  kind: string;
  org_id: string;
  period_from: string;
  period_to: string;
  format: string;
  params: string;
  template_version: number | null;
  as_of: string;
  content_hash: string;
  size: number;
  content: Buffer;
  created_by: string | null;
  created_at: string;
}

export interface PubEventsTable {
  id: string;
  org_id: string;
  title: string;
  occurred_at: string;
  created_by: string;
  created_at: string;
}
export interface PubContentTable {
  id: string;
  org_id: string;
  kind: string;
  theme: string;
  title: string;
  summary: string | null;
  body_html: string;
  channels: string;
  is_repost: number;
  source_name: string | null;
  source_url: string | null;
  event_id: string | null;
  status: string;
  version: number;
  author_id: string;
  approver_id: string | null;
  scheduled_at: string | null;
  published_at: string | null;
  correction_note: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}
export interface PubVersionsTable {
  content_id: string;
  version: number;
  title: string;
  body_html: string;
  edited_by: string;
  note: string | null;
  created_at: string;
}
export interface PubCommentsTable {
  id: string;
  content_id: string;
  author_id: string;
  body: string;
  created_at: string;
}
export interface PubLiveEntriesTable {
  id: string;
  content_id: string;
  at: string;
  body_html: string;
  author_id: string;
}
export interface PubDeliveriesTable {
  id: string;
  content_id: string;
  channel: string;
  version: number;
  status: string;
  attempts: number;
  last_error: string | null;
  external_id: string | null;
  sent_at: string | null;
  confirmed_at: string | null;
  updated_at: string;
}
export interface PubPressConferencesTable {
  id: string;
  org_id: string;
  title: string;
  held_at: string;
  place: string;
  speakers: string;
  topics: string;
  live_content_id: string | null;
  release_content_id: string | null;
  created_by: string;
  created_at: string;
}
export interface PubCoverageTable {
  id: string;
  org_id: string;
  outlet: string;
  level: string;
  title: string;
  url: string | null;
  published_on: string;
  topic: string | null;
  created_by: string;
  created_at: string;
}
export interface PubMediaTable {
  id: string;
  mime: string;
  size: number;
  bytes: Buffer;
  created_by: string;
  created_at: string;
}

export interface OpinionSourcesTable {
  id: string;
  org_id: string;
  name: string;
  kind: string;
  url: string | null;
  paused: number;
  poll_minutes: number;
  etag: string | null;
  last_modified: string | null;
  next_poll_at: string | null;
  last_polled_at: string | null;
  last_ok_at: string | null;
  last_error: string | null;
  failures: number;
  posts: number;
  created_at: string;
  updated_at: string;
}
export interface OpinionClustersTable {
  id: string;
  org_id: string;
  size: number;
  category: string;
  relevant: number;
  sample_post_id: string;
  sample_text: string;
  first_seen: string;
  last_seen: string;
  refutation_id: string | null;
  reps: number;
  created_at: string;
  updated_at: string;
  /** Set when an analyst merged this cluster into another (its posts and representatives moved there). */
  merged_into: string | null;
  merged_at: string | null;
  merged_by: string | null;
}
export interface OpinionClusterRepsTable {
  id: Generated<number>;
  /** The cluster's org (the candidate index is per org). */
  org_id: string | null;
  cluster_id: string;
  simhash: string;
  /** The normalised text, on rows written before migration 0011; '' on later rows, which have post_id. */
  norm_text: string;
  /** The post it represents (rows written since migration 0011): its text, normalised, is the representative's. */
  post_id: string | null;
  /** Candidate key hashes, shingle set size and histogram (opinion.analysis.ts encodeSketch). */
  sketch: Buffer | null;
}
/** Per org, how many times analysts moved posts between clusters (representative caches check it). */
export interface OpinionClusterMovesTable {
  org_id: string;
  gen: number;
}
export interface OpinionRefutationsTable {
  id: string;
  org_id: string;
  claim: string;
  facts: string;
  url: string | null;
  status: string;
  content_id: string | null;
  posts: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface OpinionPostsTable {
  id: string;
  org_id: string;
  source: string;
  external_id: string;
  text: string;
  url: string | null;
  author_hash: string | null;
  published_at: string;
  ingested_at: string;
  relevant: number;
  relevance_score: number;
  category: string;
  groups: string;
  cluster_id: string;
  refutation_id: string | null;
  label_relevant: number | null;
  label_category: string | null;
  labelled_by: string | null;
  labelled_at: string | null;
}
export interface OpinionLabelsTable {
  seq: Generated<number>;
  org_id: string;
  post_id: string;
  relevant: number;
  category: string;
  labelled_by: string;
  created_at: string;
}
export interface OpinionKeywordGroupsTable {
  id: string;
  name: string;
  rule: string;
  enabled: number;
  builtin: number;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
}
export interface OpinionHourlyTable {
  org_id: string;
  series: string;
  hour: string;
  count: number;
}
export interface OpinionAlertsTable {
  id: string;
  org_id: string;
  series: string;
  hour: string;
  count: number;
  baseline: number;
  reason: string;
  top_cluster_id: string | null;
  webhook_status: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  created_at: string;
}
export interface OpinionCasesTable {
  id: string;
  org_id: string;
  title: string;
  category: string;
  cluster_id: string | null;
  post_id: string | null;
  status: string;
  assignee_id: string | null;
  due_at: string;
  refutation_id: string | null;
  outcome: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}
export interface OpinionCaseActionsTable {
  id: string;
  case_id: string;
  n: number;
  kind: string;
  note: string | null;
  detail: string | null;
  by_user: string;
  at: string;
}

export interface DB {
  orgs: OrgsTable;
  org_closure: OrgClosureTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_failures: LoginFailuresTable;
  rate_limits: RateLimitsTable;
  settings: SettingsTable;
  audit_events: AuditEventsTable;
  jobs: JobsTable;
  outreach_indicators: OutreachIndicatorsTable;
  outreach_records: OutreachRecordsTable;
  outreach_rollups: OutreachRollupsTable;
  outreach_imports: OutreachImportsTable;
  report_templates: ReportTemplatesTable;
  report_archive: ReportArchiveTable;
  pub_events: PubEventsTable;
  pub_content: PubContentTable;
  pub_versions: PubVersionsTable;
  pub_comments: PubCommentsTable;
  pub_live_entries: PubLiveEntriesTable;
  pub_deliveries: PubDeliveriesTable;
  pub_press_conferences: PubPressConferencesTable;
  pub_coverage: PubCoverageTable;
  pub_media: PubMediaTable;
  opinion_sources: OpinionSourcesTable;
  opinion_clusters: OpinionClustersTable;
  opinion_cluster_reps: OpinionClusterRepsTable;
  opinion_cluster_moves: OpinionClusterMovesTable;
  opinion_refutations: OpinionRefutationsTable;
  opinion_posts: OpinionPostsTable;
  opinion_labels: OpinionLabelsTable;
  opinion_keyword_groups: OpinionKeywordGroupsTable;
  opinion_hourly: OpinionHourlyTable;
  opinion_alerts: OpinionAlertsTable;
  opinion_cases: OpinionCasesTable;
  opinion_case_actions: OpinionCaseActionsTable;
}
