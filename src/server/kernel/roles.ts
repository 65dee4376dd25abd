// Roles and what they may do. Every authorisation check goes through Authz.require() with one of
// these permissions; modules add their permissions here rather than testing roles themselves.
export const ROLES = [
  'admin',
  'security_admin',
  'auditor',
  'publicity',
  'reporter',
  'editor',
  'reviewer',
  'opinion_analyst',
  'health_officer',
  'supplies_officer',
] as const;
export type Role = (typeof ROLES)[number];

/** 三员分立: system admin, security admin and auditor are held by different people. */
export const SEPARATED_ROLES: readonly Role[] = ['admin', 'security_admin', 'auditor'];

const ANY: readonly Role[] = ROLES;

export const PERMISSIONS = {
  'org.read': ANY,
  'org.manage': ['admin'],
  'user.read': ['admin', 'security_admin'],
  'user.manage': ['admin'],
  'user.lock': ['security_admin'],
  'user.reset_password': ['security_admin'],
  'policy.read': ['admin', 'security_admin'],
  'policy.manage': ['security_admin'],
  'audit.read': ['auditor'],
  'job.read': ['admin'],
  'job.manage': ['admin'],
  'token.own': ANY,
  'outreach.read': ['publicity', 'reporter'],
  'outreach.write': ['publicity', 'reporter'],
  /** Correct any record in scope; without it, only one's own records of the last 7 days. */
  'outreach.correct_any': ['publicity'],
  'outreach.review': ['publicity'],
  'outreach.import': ['publicity'],
  'outreach.indicators.manage': ['admin'],
  'report.generate': ['publicity'],
  'report.template.manage': ['publicity'],
  'content.read': ['editor', 'reviewer', 'publicity'],
  'content.write': ['editor', 'publicity'],
  'content.review': ['reviewer'],
  'content.publish': ['editor', 'reviewer', 'publicity'],
  /** Unpublish and public corrections of published items. */
  'content.correct': ['reviewer', 'publicity'],
  'publishing.records': ['editor', 'reviewer', 'publicity'],
  'publishing.channels.manage': ['admin'],
  /** Push posts from connectors (API tokens of an analyst account) and upload CSV/JSONL. */
  'opinion.ingest': ['opinion_analyst'],
  /** Posts, clusters, alerts, cases and briefs: the office's analysts and its publicity staff. */
  'opinion.read': ['opinion_analyst', 'publicity'],
  /** Label posts, attach refutations, handle cases, acknowledge alerts. */
  'opinion.handle': ['opinion_analyst'],
  /** Sources, keyword groups, alert webhook. */
  'opinion.configure': ['opinion_analyst'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function rolesGrant(roles: Iterable<string>, permission: Permission): boolean {
  const allowed = PERMISSIONS[permission] as readonly string[];
  for (const r of roles) if (allowed.includes(r)) return true;
  return false;
}

/** Roles that may not be combined in one account (except the bootstrap admin until others are appointed). */
export function separationConflict(roles: readonly string[]): boolean {
  return roles.filter((r) => (SEPARATED_ROLES as readonly string[]).includes(r)).length > 1;
}
