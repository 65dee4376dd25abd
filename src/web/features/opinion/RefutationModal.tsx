// Create or edit a refutation (辟谣条目): the false claim, the facts, and the link once published.
import { Form, Input, Modal } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../../lib/notify';
import { useSaveRefutation, type Refutation } from './config.api';

type Values = { claim: string; facts: string; url?: string };

export function RefutationModal({
  open,
  refutation,
  initialClaim,
  onClose,
  onSaved,
}: {
  open: boolean;
  refutation?: Refutation | null;
  initialClaim?: string;
  onClose: () => void;
  onSaved?: (r: Refutation) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const save = useSaveRefutation();

  useEffect(() => {
    if (open) form.setFieldsValue({ claim: refutation?.claim ?? initialClaim ?? '', facts: refutation?.facts ?? '', url: refutation?.url ?? '' });
  }, [open, refutation, initialClaim, form]);

  const submit = async () => {
    const v = await form.validateFields();
    const url = v.url?.trim() || null;
    const { refutation: saved } = await save.mutateAsync({ id: refutation?.id, claim: v.claim.trim(), facts: v.facts.trim(), url: refutation ? url : url ?? undefined });
    notifySuccess(t('opinion.refutations.saved'));
    onSaved?.(saved);
    onClose();
  };

  return (
    <Modal
      title={refutation ? t('opinion.refutations.edit') : t('opinion.refutations.create')}
      open={open}
      onCancel={onClose}
      onOk={() => void submit().catch(() => undefined)}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'refutation-save' }}
      width={600}
      forceRender
    >
      <Form form={form} layout="vertical">
        <Form.Item name="claim" label={t('opinion.refutations.claim')} rules={[{ required: true, min: 2, max: 500, whitespace: true }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} showCount data-testid="refutation-claim" />
        </Form.Item>
        <Form.Item name="facts" label={t('opinion.refutations.facts')} rules={[{ required: true, min: 2, max: 5000, whitespace: true }]}>
          <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} maxLength={5000} showCount data-testid="refutation-facts" />
        </Form.Item>
        <Form.Item name="url" label={t('opinion.refutations.url')} extra={t('opinion.refutations.urlHint')} rules={[{ type: 'url', warningOnly: false }, { pattern: /^https?:\/\//i }]}>
          <Input placeholder="https://" data-testid="refutation-url" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
