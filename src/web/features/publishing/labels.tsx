// Status tags and the Chinese names of kinds, themes and channels, from the locale files.
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ContentStatus } from './publishing.api';

const STATUS_COLORS: Record<ContentStatus, string> = {
  draft: 'default',
  in_review: 'processing',
  approved: 'cyan',
  scheduled: 'purple',
  published: 'success',
  unpublished: 'warning',
};

export function ContentStatusTag({ status }: { status: ContentStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="content-status">
      {t(`publishing.statuses.${status}`)}
    </Tag>
  );
}
