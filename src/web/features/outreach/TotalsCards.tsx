// One card per indicator: the subtree's total for the period, with the official style of large
// numbers (20万余张) under it. A card is also the indicator switch for the trend and the ranking.
import { Card, Col, Empty, Row, Skeleton, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { officialStyle } from '../../lib/numberStyle';
import type { Indicator, TotalsMap } from './outreach.api';

export function TotalsCards({
  indicators,
  totals,
  loading,
  selected,
  onSelect,
}: {
  indicators: Indicator[];
  totals: TotalsMap | undefined;
  loading: boolean;
  selected: string | undefined;
  onSelect: (code: string) => void;
}) {
  const { t } = useTranslation();
  if (loading && !totals) {
    return (
      <Row gutter={[12, 12]}>
        {Array.from({ length: 8 }, (_, i) => (
          <Col key={i} xs={12} md={8} lg={6}>
            <Card size="small">
              <Skeleton active paragraph={{ rows: 1 }} title={{ width: '60%' }} />
            </Card>
          </Col>
        ))}
      </Row>
    );
  }
  if (!indicators.length) return <Empty description={t('outreach.noIndicators')} />;
  return (
    <Row gutter={[12, 12]} data-testid="totals-cards">
      {indicators.map((ind) => {
        const value = totals?.[ind.code] ?? 0;
        const styled = officialStyle(value, ind.unit, ind.decimals);
        const active = ind.code === selected;
        return (
          <Col key={ind.code} xs={12} md={8} lg={6} xxl={4}>
            <Card
              size="small"
              hoverable
              className={active ? 'total-card total-card-active' : 'total-card'}
              onClick={() => onSelect(ind.code)}
              data-testid={`total-card-${ind.code}`}
              aria-pressed={active}
            >
              <Statistic
                title={<span className="total-card-title">{ind.name}</span>}
                value={value}
                precision={ind.decimals}
                suffix={<span className="total-card-unit">{ind.unit}</span>}
                loading={loading && !totals}
              />
              <Typography.Text type="secondary" className="total-card-official" data-testid={`total-official-${ind.code}`}>
                {styled ? t('outreach.officialStyle', { text: styled }) : '\u00a0'}
              </Typography.Text>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}
