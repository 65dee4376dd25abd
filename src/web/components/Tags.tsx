// Small tags for server enums, so every page shows roles, kinds and statuses the same way.
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  JOB_STATUS_COLORS,
  ORG_KIND_COLORS,
  USER_STATUS_COLORS,
  jobStatusLabel,
  orgKindLabel,
  roleLabel,
  sortRoles,
  userStatusLabel,
} from '../lib/labels';

export function RoleTags({ roles }: { roles: string[] }) {
  const { t } = useTranslation();
  if (roles.length === 0) return <span className="muted">{t('common.none')}</span>;
  return (
    <span className="tag-list">
      {sortRoles(roles).map((role) => (
        <Tag key={role} color={role === 'admin' || role === 'security_admin' || role === 'auditor' ? 'geekblue' : 'blue'}>
          {roleLabel(t, role)}
        </Tag>
      ))}
    </span>
  );
}

export function OrgKindTag({ kind }: { kind: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={ORG_KIND_COLORS[kind] ?? 'default'} className="kind-tag">
      {orgKindLabel(t, kind)}
    </Tag>
  );
}

export function UserStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return <Tag color={USER_STATUS_COLORS[status] ?? 'default'}>{userStatusLabel(t, status)}</Tag>;
}

export function JobStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return <Tag color={JOB_STATUS_COLORS[status] ?? 'default'}>{jobStatusLabel(t, status)}</Tag>;
}
