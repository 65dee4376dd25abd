// The small pieces every opinion page shows the same way: category tags and their chart colours,
// case status tags, the refutation badge, relevance, times and the analyst check.
import { CheckCircleFilled, SafetyCertificateOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useCurrentUser } from '../auth/session';
import { CATEGORIES, type Category } from './opinion.api';
import type { CaseStatus } from './cases.api';
import './opinion.css';

/** antd preset per category (tags) and the same hue for charts, so 谣言 is the same red everywhere. */
export const CATEGORY_TAG: Record<Category, string> = { rumor: 'red', price_gouging: 'orange', concern: 'blue', positive: 'green', other: 'default' };
export const CATEGORY_COLOR: Record<Category, string> = { rumor: '#f5222d', price_gouging: '#fa8c16', concern: '#1677ff', positive: '#52c41a', other: '#8c8c8c' };

const isCategory = (c: string): c is Category => (CATEGORIES as readonly string[]).includes(c);

export const categoryLabel = (t: TFunction, c: string) => (isCategory(c) ? t(`opinion.categories.${c}`) : c);

export function CategoryTag({ category }: { category: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={isCategory(category) ? CATEGORY_TAG[category] : 'default'} className="op-cat-tag" data-testid="category-tag" data-category={category}>
      {categoryLabel(t, category)}
    </Tag>
  );
}

const STATUS_COLOR: Record<CaseStatus, string> = { new: 'default', verifying: 'processing', responding: 'warning', closed: 'success' };

export function CaseStatusTag({ status }: { status: CaseStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="case-status">
      {t(`opinion.caseStatuses.${status}`)}
    </Tag>
  );
}

export function RefutedBadge({ refuted, showUnrefuted = false }: { refuted: boolean; showUnrefuted?: boolean }) {
  const { t } = useTranslation();
  if (refuted)
    return (
      <Tag color="cyan" icon={<SafetyCertificateOutlined />} data-testid="refuted-badge">
        {t('opinion.common.refuted')}
      </Tag>
    );
  return showUnrefuted ? <Tag data-testid="unrefuted-badge">{t('opinion.common.notRefuted')}</Tag> : null;
}

export function RelevanceTag({ relevant, score }: { relevant: boolean; score: number }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('opinion.common.relevance')}>
      <Tag color={relevant ? 'magenta' : 'default'} variant="filled" className="op-rel-tag">
        {relevant ? t('opinion.common.relevant') : t('opinion.common.irrelevant')} {Math.round(score * 100)}%
      </Tag>
    </Tooltip>
  );
}

export function LabelMark({ label }: { label: { relevant: boolean; category: Category } }) {
  const { t } = useTranslation();
  const text = label.relevant ? categoryLabel(t, label.category) : t('opinion.common.irrelevant');
  return (
    <Tag color="success" icon={<CheckCircleFilled />} variant="filled" data-testid="post-label">
      {t('opinion.common.labelledAs', { label: text })}
    </Tag>
  );
}

/** Times in the district's reading: 11-28 09:15 this year, with the year otherwise. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = dayjs(iso);
  return d.year() === dayjs().year() ? d.format('MM-DD HH:mm') : d.format('YYYY-MM-DD HH:mm');
}

/** An hour key of the server ("2026-11-28T09", UTC) as a local time. */
export const hourTime = (hour: string) => dayjs(`${hour}:00:00Z`);

/** "25 分钟" / "3 小时" / "2 天", for how long ago something was due. */
export function duration(t: TFunction, ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return t('opinion.cases.minutes', { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t('opinion.cases.hours', { count: hours });
  return t('opinion.cases.days', { count: Math.round(hours / 24) });
}

/** Analysts handle and configure; publicity staff read. The server decides; this only hides buttons. */
export function useCanHandle(): boolean {
  return useCurrentUser().roles.includes('opinion_analyst');
}

export const percent = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);
