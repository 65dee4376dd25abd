// 发布统计: publication counts for a period (cards + a bar by channel), press conferences, outside
// coverage and first-release times, each with a small form to record a new one.
import { Button, Card, Col, DatePicker, Flex, Form, Input, Row, Select, Statistic, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultPeriod, fromDayjs, toDayjs, type Period } from '../../lib/dates';
import { notifyError, notifySuccess } from '../../lib/notify';
import { useECharts } from '../../lib/useECharts';
import { formatDateTime } from './time';
import { CHANNELS, COVERAGE_LEVELS, useCounts, useCoverage, useFirstRelease, usePressConferences, useRecordCreate, type CoverageItem, type FirstRelease, type PressConference } from './publishing.api';

const split = (s: string | undefined) => (s ?? '').split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

function ChannelBar({ byChannel }: { byChannel: Record<string, number> }) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: CHANNELS.map((c) => t(`publishing.channelNames.${c}`)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: CHANNELS.map((c) => byChannel[c] ?? 0), itemStyle: { color: '#c41d1d' }, barMaxWidth: 40 }],
    }),
    [byChannel, t],
  );
  const { ref } = useECharts(option);
  return <div ref={ref} style={{ height: 260 }} data-testid="channel-chart" />;
}

export function PublishingStats() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<Period>(defaultPeriod());
  const counts = useCounts(period.from, period.to);
  const coverage = useCoverage(period.from, period.to);
  const press = usePressConferences();
  const first = useFirstRelease();
  const createPress = useRecordCreate('/publishing/press-conferences');
  const createCoverage = useRecordCreate('/publishing/coverage');
  const createEvent = useRecordCreate('/publishing/events');
  const [pressForm] = Form.useForm();
  const [coverageForm] = Form.useForm();
  const [eventForm] = Form.useForm();

  const submit = async (form: typeof pressForm, mutate: (body: unknown) => Promise<unknown>, toBody: (v: Record<string, unknown>) => unknown) => {
    const values = await form.validateFields();
    try {
      await mutate(toBody(values));
      form.resetFields();
      notifySuccess(t('common.saved'));
    } catch (e) {
      notifyError(e);
    }
  };

  const c = counts.data;
  return (
    <Flex vertical gap={16}>
      <Card
        title={t('publishing.stats.title')}
        extra={
          <DatePicker.RangePicker
            value={[toDayjs(period.from), toDayjs(period.to)]}
            allowClear={false}
            onChange={(r) => r?.[0] && r[1] && setPeriod({ from: fromDayjs(r[0]), to: fromDayjs(r[1]) })}
          />
        }
      >
        <Row gutter={[16, 16]}>
          {(['items', 'placements', 'originals', 'reposts', 'pressConferences'] as const).map((k) => (
            <Col key={k} xs={12} md={8} lg={4}>
              <Statistic title={t(`publishing.stats.${k}`)} value={c?.[k] ?? 0} loading={counts.isPending} />
            </Col>
          ))}
          <Col xs={12} md={8} lg={4}>
            <Statistic title={t('publishing.stats.coverage')} value={coverage.data?.total ?? 0} loading={coverage.isPending} />
          </Col>
        </Row>
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('publishing.stats.byChannel')}
        </Typography.Title>
        <ChannelBar byChannel={c?.byChannel ?? {}} />
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('publishing.stats.press')}>
            <Table<PressConference>
              rowKey="id"
              size="small"
              loading={press.isPending}
              dataSource={press.data?.pressConferences ?? []}
              pagination={{ pageSize: 5, hideOnSinglePage: true }}
              columns={[
                { key: 'heldAt', title: t('publishing.stats.heldAt'), dataIndex: 'heldAt', render: (v: string) => formatDateTime(v) },
                { key: 'title', title: t('publishing.title'), dataIndex: 'title' },
                { key: 'place', title: t('publishing.stats.place'), dataIndex: 'place' },
                { key: 'speakers', title: t('publishing.stats.speakers'), dataIndex: 'speakers', render: (s: string[]) => s.join('、') },
              ]}
            />
            <Form form={pressForm} layout="vertical" style={{ marginTop: 12 }}>
              <Row gutter={8}>
                <Col span={12}>
                  <Form.Item name="title" label={t('publishing.title')} rules={[{ required: true, max: 120 }]}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="heldAt" label={t('publishing.stats.heldAt')} rules={[{ required: true }]}>
                    <DatePicker showTime style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="place" label={t('publishing.stats.place')} rules={[{ required: true, max: 100 }]}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="speakers" label={t('publishing.stats.speakers')} tooltip={t('publishing.stats.listHint')}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="topics" label={t('publishing.stats.topics')} tooltip={t('publishing.stats.listHint')}>
                    <Input />
                  </Form.Item>
                </Col>
              </Row>
              <Button
                loading={createPress.isPending}
                onClick={() =>
                  submit(pressForm, createPress.mutateAsync, (v) => ({
                    title: v.title,
                    heldAt: (v.heldAt as Dayjs).toISOString(),
                    place: v.place,
                    speakers: split(v.speakers as string),
                    topics: split(v.topics as string),
                  }))
                }
              >
                {t('publishing.stats.addPress')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('publishing.stats.coverageTitle')}>
            <Table<CoverageItem>
              rowKey="id"
              size="small"
              loading={coverage.isPending}
              dataSource={coverage.data?.items ?? []}
              pagination={{ pageSize: 5, hideOnSinglePage: true }}
              columns={[
                { key: 'publishedOn', title: t('publishing.stats.publishedOn'), dataIndex: 'publishedOn' },
                { key: 'outlet', title: t('publishing.stats.outlet'), dataIndex: 'outlet' },
                { key: 'level', title: t('publishing.stats.level'), dataIndex: 'level', render: (l: (typeof COVERAGE_LEVELS)[number]) => t(`publishing.levels.${l}`) },
                { key: 'title', title: t('publishing.title'), dataIndex: 'title', render: (title: string, r) => (r.url ? <a href={r.url} target="_blank" rel="noreferrer">{title}</a> : title) },
              ]}
            />
            <Form form={coverageForm} layout="vertical" style={{ marginTop: 12 }} initialValues={{ level: 'municipal' }}>
              <Row gutter={8}>
                <Col span={12}>
                  <Form.Item name="title" label={t('publishing.title')} rules={[{ required: true, max: 120 }]}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="outlet" label={t('publishing.stats.outlet')} rules={[{ required: true, max: 60 }]}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="level" label={t('publishing.stats.level')} rules={[{ required: true }]}>
                    <Select options={COVERAGE_LEVELS.map((l) => ({ value: l, label: t(`publishing.levels.${l}`) }))} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="publishedOn" label={t('publishing.stats.publishedOn')} rules={[{ required: true }]}>
                    <DatePicker style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="url" label="URL" rules={[{ type: 'url' }]}>
                    <Input placeholder="https://" />
                  </Form.Item>
                </Col>
              </Row>
              <Button
                loading={createCoverage.isPending}
                onClick={() =>
                  submit(coverageForm, createCoverage.mutateAsync, (v) => ({
                    title: v.title,
                    outlet: v.outlet,
                    level: v.level,
                    publishedOn: fromDayjs(v.publishedOn as Dayjs),
                    ...(v.url ? { url: v.url } : {}),
                  }))
                }
              >
                {t('publishing.stats.addCoverage')}
              </Button>
            </Form>
          </Card>
        </Col>
      </Row>

      <Card title={t('publishing.stats.firstRelease')}>
        <Table<FirstRelease>
          rowKey="id"
          size="small"
          loading={first.isPending}
          dataSource={first.data?.events ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { key: 'occurredAt', title: t('publishing.stats.occurredAt'), dataIndex: 'occurredAt', render: (v: string) => formatDateTime(v) },
            { key: 'title', title: t('publishing.stats.event'), dataIndex: 'title' },
            {
              key: 'firstMinutes',
              title: t('publishing.stats.firstMinutes'),
              dataIndex: 'firstMinutes',
              render: (m: number | null) => (m === null ? t('publishing.stats.notYet') : t('publishing.stats.minutes', { count: m })),
            },
            {
              key: 'channels',
              title: t('publishing.channels'),
              dataIndex: 'channels',
              render: (cs: FirstRelease['channels']) =>
                cs.map((x) => `${t(`publishing.channelNames.${x.channel as (typeof CHANNELS)[number]}`)} ${t('publishing.stats.minutes', { count: x.minutes })}`).join('；'),
            },
          ]}
        />
        <Form form={eventForm} layout="inline" style={{ marginTop: 12 }} initialValues={{ occurredAt: dayjs() }}>
          <Form.Item name="title" rules={[{ required: true, max: 120 }]}>
            <Input placeholder={t('publishing.stats.event')} style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="occurredAt" rules={[{ required: true }]}>
            <DatePicker showTime />
          </Form.Item>
          <Button
            loading={createEvent.isPending}
            onClick={() => submit(eventForm, createEvent.mutateAsync, (v) => ({ title: v.title, occurredAt: (v.occurredAt as Dayjs).toISOString() }))}
          >
            {t('publishing.stats.addEvent')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
