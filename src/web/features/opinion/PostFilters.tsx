// The stream's filters, kept in the address bar: reports and the overview link here with
// ?from&to&category&relevant, and a filtered stream can be shared or bookmarked as it is.
import { ClearOutlined } from '@ant-design/icons';
import { Button, DatePicker, Flex, Input, Select, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { CATEGORIES, type Category, type PostFilters } from './opinion.api';
import { useKeywordGroups, useSources } from './config.api';

const KEYS = ['from', 'to', 'category', 'relevant', 'group', 'source', 'q', 'labelled', 'clusterId', 'refutationId'] as const;
/** An ISO time, or a date alone (2026-03-01), read as that day's start in local time. */
const toIso = (s: string | null) => (s && dayjs(s).isValid() ? dayjs(s).toISOString() : undefined);
const bool = (s: string | null) => (s === 'true' || s === 'false' ? s : undefined);
const UUID = /^[0-9a-f-]{36}$/i;

export function usePostFilters(): [PostFilters, (patch: Partial<Record<(typeof KEYS)[number], string | undefined>>) => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<PostFilters>(() => {
    const f: PostFilters = {};
    const from = params.get('from');
    const to = params.get('to');
    f.from = toIso(from);
    f.to = toIso(to);
    const category = params.get('category');
    if (category && (CATEGORIES as readonly string[]).includes(category)) f.category = category as Category;
    f.relevant = bool(params.get('relevant'));
    f.labelled = bool(params.get('labelled'));
    for (const key of ['group', 'source', 'q'] as const) {
      const v = params.get(key)?.trim();
      if (v) f[key] = v.slice(0, 100);
    }
    for (const key of ['clusterId', 'refutationId'] as const) {
      const v = params.get(key);
      if (v && UUID.test(v)) f[key] = v;
    }
    for (const key of Object.keys(f) as Array<keyof PostFilters>) if (f[key] === undefined) delete f[key];
    return f;
  }, [params]);
  const update = useCallback(
    (patch: Partial<Record<(typeof KEYS)[number], string | undefined>>) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(patch)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        return next;
      }),
    [setParams],
  );
  return [filters, update];
}

export function PostFilterBar({ filters, onChange }: { filters: PostFilters; onChange: ReturnType<typeof usePostFilters>[1] }) {
  const { t } = useTranslation();
  const groups = useKeywordGroups();
  const sources = useSources();
  const range: [Dayjs | null, Dayjs | null] = [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null];
  const presets = [
    { label: t('opinion.common.lastHour'), hours: 1 },
    { label: t('opinion.common.last24h'), hours: 24 },
    { label: t('opinion.common.last3d'), hours: 72 },
    { label: t('opinion.common.last7d'), hours: 168 },
  ].map((p) => ({ label: p.label, value: [dayjs().subtract(p.hours, 'hour').startOf('minute'), dayjs().endOf('minute')] as [Dayjs, Dayjs] }));
  const anySet = KEYS.some((k) => filters[k]);

  return (
    <Flex vertical gap={8}>
      <Flex gap={8} wrap align="center" data-testid="post-filters">
        <DatePicker.RangePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          allowEmpty={[true, true]}
          value={range}
          presets={presets}
          placeholder={[t('opinion.posts.period'), '']}
          onChange={(r) =>
            onChange({
              from: r?.[0]?.toISOString(),
              // A preset's end is "now": leave it open so the stream stays live.
              to: r?.[1] && r[1].isBefore(dayjs().subtract(1, 'minute')) ? r[1].toISOString() : undefined,
            })
          }
          style={{ width: 340 }}
        />
        <Select
          allowClear
          placeholder={t('opinion.posts.anyCategory')}
          value={filters.category}
          onChange={(v) => onChange({ category: v })}
          options={CATEGORIES.map((c) => ({ value: c, label: t(`opinion.categories.${c}`) }))}
          style={{ width: 130 }}
          data-testid="filter-category"
        />
        <Select
          allowClear
          placeholder={t('opinion.posts.anyRelevance')}
          value={filters.relevant}
          onChange={(v) => onChange({ relevant: v })}
          options={[
            { value: 'true', label: t('opinion.common.relevant') },
            { value: 'false', label: t('opinion.common.irrelevant') },
          ]}
          style={{ width: 120 }}
          data-testid="filter-relevant"
        />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('opinion.posts.anyGroup')}
          value={filters.group}
          onChange={(v) => onChange({ group: v })}
          options={(groups.data?.groups ?? []).map((g) => ({ value: g.id, label: g.name }))}
          style={{ width: 150 }}
        />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('opinion.posts.anySource')}
          value={filters.source}
          onChange={(v) => onChange({ source: v })}
          options={(sources.data?.sources ?? []).map((s) => ({ value: s.name, label: s.name }))}
          style={{ width: 140 }}
        />
        <Select
          allowClear
          placeholder={t('opinion.posts.anyLabel')}
          value={filters.labelled}
          onChange={(v) => onChange({ labelled: v })}
          options={[
            { value: 'true', label: t('opinion.common.labelled') },
            { value: 'false', label: t('opinion.common.unlabelled') },
          ]}
          style={{ width: 120 }}
        />
        <Input.Search
          key={filters.q ?? ''}
          allowClear
          defaultValue={filters.q}
          placeholder={t('opinion.posts.searchText')}
          onSearch={(v) => onChange({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          data-testid="filter-q"
        />
        {anySet ? (
          <Button
            icon={<ClearOutlined />}
            onClick={() => onChange(Object.fromEntries(KEYS.map((k) => [k, undefined])))}
            data-testid="filter-reset"
          >
            {t('opinion.posts.reset')}
          </Button>
        ) : null}
      </Flex>
      {filters.clusterId || filters.refutationId ? (
        <Flex gap={8} wrap>
          {filters.clusterId ? (
            <Tag closable onClose={() => onChange({ clusterId: undefined })} color="purple">
              {t('opinion.posts.inCluster')}
            </Tag>
          ) : null}
          {filters.refutationId ? (
            <Tag closable onClose={() => onChange({ refutationId: undefined })} color="cyan">
              {t('opinion.posts.withRefutation')}
            </Tag>
          ) : null}
        </Flex>
      ) : null}
    </Flex>
  );
}
