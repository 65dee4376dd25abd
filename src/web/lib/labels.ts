// Labels for server enums (roles, org kinds, statuses). The server may add values the UI does not
// know yet; those fall back to the raw code rather than a missing-key string.
import type { TFunction } from 'i18next';
import { zhCN } from '../locales/zh-CN';

export type RoleCode = keyof typeof zhCN.roles;
export type OrgKind = keyof typeof zhCN.orgKinds;
export type UserStatus = keyof typeof zhCN.users.statuses;
export type JobStatus = keyof typeof zhCN.jobs.statuses;

export const ROLE_CODES = Object.keys(zhCN.roles) as RoleCode[];
export const ORG_KINDS = Object.keys(zhCN.orgKinds) as OrgKind[];

const has = (table: object, key: string): boolean => Object.prototype.hasOwnProperty.call(table, key);

export function roleLabel(t: TFunction, role: string): string {
  return has(zhCN.roles, role) ? t(`roles.${role as RoleCode}`) : role;
}

export function orgKindLabel(t: TFunction, kind: string): string {
  return has(zhCN.orgKinds, kind) ? t(`orgKinds.${kind as OrgKind}`) : kind;
}

export function userStatusLabel(t: TFunction, status: string): string {
  return has(zhCN.users.statuses, status) ? t(`users.statuses.${status as UserStatus}`) : status;
}

export function jobStatusLabel(t: TFunction, status: string): string {
  return has(zhCN.jobs.statuses, status) ? t(`jobs.statuses.${status as JobStatus}`) : status;
}

/** Audit actions are dotted codes (user.create); the label table keys them with underscores. */
export function auditActionLabel(t: TFunction, action: string): string {
  if (action.startsWith('denied.')) return t('audit.deniedAction', { permission: action.slice('denied.'.length) });
  const key = action.replace(/\./g, '_');
  return has(zhCN.audit.actions, key) ? t(`audit.actions.${key as keyof typeof zhCN.audit.actions}`) : action;
}

/** Job types are dotted codes too; modules add theirs to jobs.types in the locales. */
export function jobTypeLabel(t: TFunction, type: string): string | null {
  const key = type.replace(/\./g, '_');
  return has(zhCN.jobs.types, key) ? t(`jobs.types.${key as keyof typeof zhCN.jobs.types}`) : null;
}

/** Roles in catalogue order, so every list of tags reads the same way. */
export function sortRoles(roles: string[]): string[] {
  const rank = (role: string) => {
    const index = (ROLE_CODES as string[]).indexOf(role);
    return index < 0 ? ROLE_CODES.length : index;
  };
  return [...roles].sort((a, b) => rank(a) - rank(b));
}

export function auditOutcomeLabel(t: TFunction, outcome: string): string {
  return has(zhCN.audit.outcomes, outcome)
    ? t(`audit.outcomes.${outcome as keyof typeof zhCN.audit.outcomes}`)
    : outcome;
}

export const ORG_KIND_COLORS: Record<string, string> = {
  district: 'red',
  township: 'volcano',
  village: 'green',
  community: 'cyan',
  department: 'blue',
  media: 'purple',
};

export const USER_STATUS_COLORS: Record<string, string> = {
  active: 'success',
  locked: 'warning',
  disabled: 'default',
};

export const JOB_STATUS_COLORS: Record<string, string> = {
  queued: 'default',
  running: 'processing',
  done: 'success',
  failed: 'warning',
  dead: 'error',
};
