// The filters every outreach page shares — org, period (and, on the records page, indicator and
// status) — kept in the address bar, so drilling down, going back and sharing a link all work.
import { Breadcrumb, DatePicker, Flex, Segmented } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PRESET_KEYS, defaultPeriod, fromDayjs, isDate, presetPeriod, toDayjs, today, type Period, type PresetKey } from '../../lib/dates';
import { useCurrentUser } from '../auth/session';
import { OrgTreeSelect } from '../orgs/OrgTreeSelect';
import { useOrgs } from '../orgs/orgs.api';
import { orgPath } from '../orgs/orgs.tree';
import { RECORD_STATUSES, type RecordStatus } from './outreach.api';

export type OutreachFilters = Period & {
  orgId: string;
  indicator?: string;
  status?: RecordStatus;
};

type Patch = Partial<Record<keyof OutreachFilters, string | undefined>>;

/** Filters from the query string, with defaults: the user's own org and the last 30 days. */
export function useOutreachFilters(): [OutreachFilters, (patch: Patch) => void] {
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const filters = useMemo<OutreachFilters>(() => {
    const fallback = defaultPeriod();
    const from = params.get('from');
    const to = params.get('to');
    const status = params.get('status');
    const period = isDate(from) && isDate(to) && from <= to ? { from, to } : fallback;
    return {
      orgId: params.get('orgId') || user.orgId,
      ...period,
      indicator: params.get('indicator') || undefined,
      status: (RECORD_STATUSES as readonly string[]).includes(status ?? '') ? (status as RecordStatus) : undefined,
    };
  }, [params, user.orgId]);
  const update = useCallback(
    (patch: Patch) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(patch)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: false },
      ),
    [setParams],
  );
  return [filters, update];
}

/** The query string for another outreach page with the same filters (plus overrides). */
export function filterSearch(filters: Partial<OutreachFilters>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, String(value));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

function activePreset(period: Period): PresetKey | undefined {
  return PRESET_KEYS.find((key) => {
    const p = presetPeriod(key);
    return p.from === period.from && p.to === period.to;
  });
}

/** 近7天 / 近30天 / 本月 / 全部(近一年) as one tap, plus a range picker for anything else. */
export function PeriodPicker({ value, onChange }: { value: Period; onChange: (period: Period) => void }) {
  const { t } = useTranslation();
  const preset = activePreset(value);
  return (
    <Flex gap={8} wrap align="center">
      <Segmented<PresetKey | 'custom'>
        value={preset ?? 'custom'}
        options={[
          ...PRESET_KEYS.map((key) => ({ value: key, label: t(`outreach.presets.${key}`) })),
          ...(preset ? [] : [{ value: 'custom' as const, label: t('outreach.presets.custom') }]),
        ]}
        onChange={(key) => key !== 'custom' && onChange(presetPeriod(key))}
        data-testid="period-presets"
      />
      <DatePicker.RangePicker
        value={[toDayjs(value.from), toDayjs(value.to)]}
        allowClear={false}
        inputReadOnly
        presets={PRESET_KEYS.map((key) => {
          const p = presetPeriod(key);
          return { label: t(`outreach.presets.${key}`), value: [toDayjs(p.from), toDayjs(p.to)] as [Dayjs, Dayjs] };
        })}
        disabledDate={(d) => d.isAfter(toDayjs(today()), 'day')}
        onChange={(range) => {
          if (range?.[0] && range[1]) onChange({ from: fromDayjs(range[0]), to: fromDayjs(range[1]) });
        }}
        style={{ width: 250 }}
        data-testid="period-range"
      />
    </Flex>
  );
}

/** Org picker + period, the first row of the dashboard pages. */
export function FilterBar({
  filters,
  onChange,
  withPeriod = true,
  children,
}: {
  filters: OutreachFilters;
  onChange: (patch: Patch) => void;
  withPeriod?: boolean;
  children?: ReactNode;
}) {
  return (
    <Flex gap={12} wrap align="center" className="outreach-filters">
      <div className="outreach-org-picker">
        <OrgTreeSelect value={filters.orgId} onChange={(orgId) => onChange({ orgId })} testId="outreach-org" />
      </div>
      {withPeriod ? <PeriodPicker value={filters} onChange={(p) => onChange(p)} /> : null}
      {children}
    </Flex>
  );
}

/** Where the selected org sits, each level clickable to go back up (the drill-down trail). */
export function OrgTrail({ orgId, onSelect }: { orgId: string; onSelect: (orgId: string) => void }) {
  const orgs = useOrgs();
  const path = orgs.data ? orgPath(orgs.data, orgId) : [];
  if (path.length < 2) return null;
  return (
    <Breadcrumb
      className="outreach-trail"
      items={path.map((org, i) =>
        i === path.length - 1
          ? { key: org.id, title: org.name }
          : {
              key: org.id,
              title: (
                <a
                  href="#"
                  onClick={(e) => {
                    e.preventDefault();
                    onSelect(org.id);
                  }}
                >
                  {org.name}
                </a>
              ),
            },
      )}
      data-testid="outreach-trail"
    />
  );
}
