// The child orgs of the selected org ranked by any indicator (totals grouped by child). A row opens
// the next level down: district → township → village, and a village opens its records.
import { RightOutlined } from '@ant-design/icons';
import { Empty, Table, type TableColumnsType, type TableProps } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { OrgKindTag } from '../../components/Tags';
import { formatNumber } from '../../lib/format';
import type { Indicator, Totals } from './outreach.api';

type Child = NonNullable<Totals['children']>[number];
type Sort = { key: string; order: 'ascend' | 'descend' };

export function ChildRanking({
  rows,
  indicators,
  selected,
  loading,
  onOpen,
}: {
  rows: Totals['children'];
  indicators: Indicator[];
  selected: string | undefined;
  loading: boolean;
  onOpen: (child: Child) => void;
}) {
  const { t } = useTranslation();
  const [sort, setSort] = useState<Sort | null>(null);
  // Until someone sorts by hand, the ranking follows the indicator picked above.
  const effective: Sort | null = sort ?? (selected ? { key: selected, order: 'descend' } : null);

  const sorted = useMemo(() => {
    const list = [...(rows ?? [])];
    if (!effective) return list;
    const sign = effective.order === 'descend' ? -1 : 1;
    return list.sort((a, b) => sign * ((a.totals[effective.key] ?? 0) - (b.totals[effective.key] ?? 0)) || a.name.localeCompare(b.name, 'zh-CN'));
  }, [rows, effective]);

  const columns: TableColumnsType<Child> = [
    {
      key: 'rank',
      title: t('outreach.rank'),
      width: 56,
      align: 'center',
      fixed: 'left',
      render: (_, __, index) => <span className={index < 3 ? 'rank rank-top' : 'rank'}>{index + 1}</span>,
    },
    {
      key: 'name',
      title: t('outreach.unit'),
      dataIndex: 'name',
      fixed: 'left',
      render: (name: string, row) => (
        <span className="ranking-name">
          <OrgKindTag kind={row.kind} />
          <a>{name}</a>
          <RightOutlined className="ranking-go" />
        </span>
      ),
    },
    // The indicator ranked by comes first, next to the name, so a phone shows it without scrolling.
    ...[...indicators].sort((a, b) => Number(b.code === effective?.key) - Number(a.code === effective?.key)).map((ind) => ({
      key: ind.code,
      title: `${ind.name}（${ind.unit}）`,
      align: 'right' as const,
      sorter: true,
      sortOrder: effective?.key === ind.code ? effective.order : null,
      sortDirections: ['descend', 'ascend'] as Array<'descend' | 'ascend'>,
      className: ind.code === effective?.key ? 'ranking-sorted' : undefined,
      render: (_: unknown, row: Child) => formatNumber(row.totals[ind.code] ?? 0),
    })),
  ];

  const onChange: TableProps<Child>['onChange'] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    if (s?.columnKey && s.order) setSort({ key: String(s.columnKey), order: s.order });
    else if (s?.columnKey) setSort({ key: String(s.columnKey), order: 'descend' });
  };

  return (
    <Table<Child>
      rowKey="orgId"
      size="middle"
      columns={columns}
      dataSource={sorted}
      loading={loading}
      onChange={onChange}
      pagination={sorted.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      onRow={(row) => ({ onClick: () => onOpen(row), className: 'ranking-row' })}
      locale={{ emptyText: <Empty description={t('outreach.noChildren')} /> }}
      data-testid="ranking-table"
    />
  );
}
