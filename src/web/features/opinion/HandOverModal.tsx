// Hand a refutation over to news publishing (转交新闻宣传): pick the receiving unit (the district's
// units with editors or publicity staff, the media centre first); a draft article is made there, and
// once it is published the refutation is published with the article's page as its link.
import { Alert, Form, Modal, Select, Typography, type ButtonProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../../lib/notify';
import { useHandOverRefutation, useHandoverTargets, type Refutation } from './config.api';

export function HandOverModal({ refutation, onClose }: { refutation: Refutation | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ orgId: string }>();
  const targets = useHandoverTargets(refutation !== null);
  const handOver = useHandOverRefutation();
  const units = targets.data?.targets;
  const options = (units ?? []).map((u) => ({ value: u.id, label: u.name }));

  // The first unit (the media centre, where there is one) is chosen to begin with.
  useEffect(() => {
    if (refutation && units?.length && !form.getFieldValue('orgId')) form.setFieldsValue({ orgId: units[0]!.id });
  }, [refutation, units, form]);

  const submit = async () => {
    const { orgId } = await form.validateFields();
    await handOver.mutateAsync({ id: refutation!.id, orgId });
    notifySuccess(t('opinion.refutations.handedOver'));
    form.resetFields();
    onClose();
  };

  return (
    <Modal
      title={t('opinion.refutations.handOver')}
      open={refutation !== null}
      onCancel={() => {
        form.resetFields();
        onClose();
      }}
      onOk={() => void submit().catch(() => undefined)}
      okText={t('opinion.refutations.handOver')}
      okButtonProps={{ loading: handOver.isPending, disabled: targets.isSuccess && !options.length, 'data-testid': 'refutation-handover-confirm' } as ButtonProps}
      width={520}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('opinion.refutations.handOverConfirm')}</Typography.Paragraph>
      {refutation ? <Typography.Paragraph strong>{refutation.claim}</Typography.Paragraph> : null}
      {targets.isSuccess && !options.length ? <Alert type="warning" showIcon message={t('opinion.refutations.noTargets')} /> : null}
      <Form form={form} layout="vertical">
        <Form.Item name="orgId" label={t('opinion.refutations.handOverTo')} rules={[{ required: true, message: t('common.select', { field: t('opinion.refutations.handOverTo') }) }]}>
          <Select options={options} loading={targets.isPending} data-testid="refutation-handover-unit" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
