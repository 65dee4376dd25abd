// 宣传指标 (admin): the indicator catalogue — built-in ones and the district's own — with a switch
// to stop or resume an indicator and a form to add one. Codes are permanent; a stopped indicator
// keeps its history but takes no new records.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, Modal, Switch, Table, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { notifySuccess } from '../../lib/notify';
import { useCreateIndicator, useIndicators, useUpdateIndicator, type Indicator, type NewIndicator } from './outreach.api';

const CODE_RULE = /^[a-z][a-z0-9_]{1,39}$/;

function NewIndicatorModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<NewIndicator>();
  const create = useCreateIndicator();
  const submit = (values: NewIndicator) =>
    create.mutate(
      { ...values, code: values.code.trim(), name: values.name.trim(), unit: values.unit.trim(), maxPerRecord: values.maxPerRecord ?? null },
      {
        onSuccess: (ind) => {
          notifySuccess(t('outreach.indicators.created', { name: ind.name }));
          form.resetFields();
          onClose();
        },
      },
    );
  return (
    <Modal
      open={open}
      title={t('outreach.indicators.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.create')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'indicator-form-submit' }}
      forceRender
    >
      <Form<NewIndicator> form={form} layout="vertical" onFinish={submit} requiredMark={false} initialValues={{ decimals: 0 }}>
        <Form.Item
          name="code"
          label={t('outreach.indicators.code')}
          extra={t('outreach.indicators.codeHint')}
          rules={[
            { required: true, message: t('common.required', { field: t('outreach.indicators.code') }) },
            { pattern: CODE_RULE, message: t('outreach.indicators.codeRule') },
          ]}
        >
          <Input className="mono" maxLength={40} placeholder="e.g. posters" data-testid="indicator-form-code" />
        </Form.Item>
        <Form.Item name="name" label={t('outreach.indicators.name')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('outreach.indicators.name') }) }]}>
          <Input maxLength={40} placeholder={t('outreach.indicators.namePlaceholder')} data-testid="indicator-form-name" />
        </Form.Item>
        <Form.Item name="unit" label={t('outreach.indicators.unit')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('outreach.indicators.unit') }) }]}>
          <Input maxLength={10} placeholder={t('outreach.indicators.unitPlaceholder')} style={{ maxWidth: 160 }} data-testid="indicator-form-unit" />
        </Form.Item>
        <Form.Item name="decimals" label={t('outreach.indicators.decimals')} extra={t('outreach.indicators.decimalsHint')}>
          <InputNumber min={0} max={2} precision={0} style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="maxPerRecord" label={t('outreach.indicators.maxPerRecord')} extra={t('outreach.indicators.maxHint')}>
          <InputNumber min={0.01} max={1e9} style={{ width: 200 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function IndicatorsAdmin() {
  const { t } = useTranslation();
  const indicators = useIndicators(true);
  const update = useUpdateIndicator();
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<Indicator> = [
    { key: 'code', title: t('outreach.indicators.code'), dataIndex: 'code', render: (v: string) => <span className="mono">{v}</span> },
    { key: 'name', title: t('outreach.indicators.name'), dataIndex: 'name' },
    { key: 'unit', title: t('outreach.indicators.unit'), dataIndex: 'unit' },
    { key: 'decimals', title: t('outreach.indicators.decimals'), dataIndex: 'decimals', align: 'right', responsive: ['sm'] },
    {
      key: 'max',
      title: t('outreach.indicators.maxPerRecord'),
      dataIndex: 'maxPerRecord',
      align: 'right',
      responsive: ['md'],
      render: (v: number | null) => (v === null ? <span className="muted">{t('common.none')}</span> : v),
    },
    {
      key: 'builtin',
      title: t('outreach.indicators.kind'),
      dataIndex: 'builtin',
      responsive: ['md'],
      render: (b: boolean) => (b ? <Tag color="blue">{t('outreach.indicators.builtin')}</Tag> : <Tag color="purple">{t('outreach.indicators.custom')}</Tag>),
    },
    {
      key: 'active',
      title: t('outreach.indicators.active'),
      dataIndex: 'active',
      render: (active: boolean, ind) => (
        <Switch
          checked={active}
          checkedChildren={t('outreach.indicators.on')}
          unCheckedChildren={t('outreach.indicators.off')}
          loading={update.isPending && update.variables?.code === ind.code}
          onChange={(checked) =>
            update.mutate(
              { code: ind.code, changes: { active: checked } },
              { onSuccess: () => notifySuccess(t(checked ? 'outreach.indicators.resumed' : 'outreach.indicators.stopped', { name: ind.name })) },
            )
          }
          data-testid={`indicator-active-${ind.code}`}
        />
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('outreach.indicators.title')}
        description={t('outreach.indicators.intro')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="indicator-create">
            {t('outreach.indicators.create')}
          </Button>
        }
      />
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<Indicator>
          rowKey="code"
          size="middle"
          columns={columns}
          dataSource={indicators.data ?? []}
          loading={indicators.isPending}
          pagination={false}
          scroll={{ x: 'max-content' }}
          rowClassName={(i) => (i.active ? '' : 'row-void')}
          data-testid="indicators-table"
        />
      </Card>
      <NewIndicatorModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
