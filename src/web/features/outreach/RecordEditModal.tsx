// Correcting a record: the server keeps the old one (marked deleted) and counts a new one in its
// place, so the correction leaves a trace. The new record's clientId is fixed when the dialog opens,
// so pressing 保存 twice on a slow network still makes one replacement.
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { fromDayjs, toDayjs, today } from '../../lib/dates';
import { notifySuccess } from '../../lib/notify';
import { useIndicators, useReplaceRecord, type OutreachRecord } from './outreach.api';

type Values = { date: Dayjs; indicator: string; value: number; note?: string };

export function RecordEditModal({ record, onClose }: { record: OutreachRecord | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const indicators = useIndicators();
  const replace = useReplaceRecord();
  const clientId = useMemo(() => (record ? crypto.randomUUID() : ''), [record]);
  const indicatorCode = Form.useWatch('indicator', form);
  const indicator = indicators.data?.find((i) => i.code === indicatorCode);

  useEffect(() => {
    if (record) form.setFieldsValue({ date: toDayjs(record.date), indicator: record.indicator, value: record.value, note: record.note ?? '' });
  }, [record, form]);

  const submit = (values: Values) => {
    if (!record) return;
    replace.mutate(
      { id: record.id, input: { clientId, date: fromDayjs(values.date), indicator: values.indicator, value: values.value, note: values.note?.trim() || null } },
      {
        onSuccess: () => {
          notifySuccess(t('outreach.records.replaced'));
          onClose();
        },
      },
    );
  };

  return (
    <Modal
      open={!!record}
      title={t('outreach.records.editTitle', { id: record?.id ?? '' })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={replace.isPending}
      destroyOnHidden
      forceRender
      okButtonProps={{ 'data-testid': 'record-edit-submit' }}
    >
      <Alert type="info" showIcon title={t('outreach.records.traceNotice')} style={{ marginBottom: 16 }} />
      <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="indicator" label={t('outreach.indicator')} rules={[{ required: true }]}>
          <Select options={(indicators.data ?? []).map((i) => ({ value: i.code, label: `${i.name}（${i.unit}）` }))} loading={indicators.isPending} />
        </Form.Item>
        <Form.Item name="date" label={t('outreach.date')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} inputReadOnly disabledDate={(d) => d.isAfter(toDayjs(today()), 'day')} />
        </Form.Item>
        <Form.Item
          name="value"
          label={t('outreach.value')}
          rules={[{ required: true, message: t('common.required', { field: t('outreach.value') }) }]}
        >
          <InputNumber
            min={0}
            max={1e9}
            precision={indicator?.decimals ?? 0}
            style={{ width: '100%' }}
            inputMode="decimal"
            suffix={indicator?.unit}
          />
        </Form.Item>
        <Form.Item name="note" label={t('outreach.note')}>
          <Input.TextArea maxLength={500} showCount autoSize={{ minRows: 2, maxRows: 5 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
