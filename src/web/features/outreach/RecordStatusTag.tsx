import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RecordStatus } from './outreach.api';

const COLORS: Record<RecordStatus, string> = {
  counted: 'success',
  pending_review: 'warning',
  rejected: 'error',
  deleted: 'default',
};

/** 已计入 / 待核实 / 已退回 / 已删除（更正）. */
export function RecordStatusTag({ status }: { status: RecordStatus }) {
  const { t } = useTranslation();
  return <Tag color={COLORS[status] ?? 'default'}>{t(`outreach.statuses.${status}`, { defaultValue: status })}</Tag>;
}
