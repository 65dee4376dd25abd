// Recording what was done on a case, with the fields each kind of action needs: a refutation
// (picked from the library or written here), the answer to a concern, the regulator a price lead goes
// to, the platform asked to remove harmful content, or why nothing is needed. Optionally closes it.
import { Button, Checkbox, Flex, Form, Input, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../../lib/notify';
import { ACTION_KINDS, useCaseAction, type ActionKind, type Case, type CaseActionInput } from './cases.api';
import { useRefutations } from './config.api';
import type { Category } from './opinion.api';

const DEFAULT_KIND: Record<Category, ActionKind> = {
  rumor: 'publish_refutation',
  price_gouging: 'refer_regulator',
  concern: 'answer_concern',
  positive: 'no_action',
  other: 'no_action',
};

type Values = {
  kind: ActionKind;
  mode?: 'existing' | 'new';
  refutationId?: string;
  claim?: string;
  facts?: string;
  regulator?: string;
  platform?: string;
  reason?: string;
  note?: string;
  close?: boolean;
};

function toInput(v: Values): CaseActionInput {
  const s = (x: string | undefined) => (x && x.trim() ? x.trim() : undefined);
  const base = { kind: v.kind, note: s(v.note), close: v.close || undefined };
  switch (v.kind) {
    case 'publish_refutation':
      return v.mode === 'new' ? { ...base, claim: s(v.claim), facts: s(v.facts) } : { ...base, refutationId: v.refutationId };
    case 'refer_regulator':
      return { ...base, regulator: s(v.regulator) };
    case 'request_removal':
      return { ...base, platform: s(v.platform), reason: s(v.reason) };
    default:
      return base;
  }
}

export function CaseActionForm({ item }: { item: Case }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form) ?? DEFAULT_KIND[item.category];
  const mode = Form.useWatch('mode', form) ?? 'existing';
  const library = useRefutations();
  const action = useCaseAction(item.id);
  const closed = item.status === 'closed';
  const kinds = closed ? (['note'] as const) : ACTION_KINDS;

  const submit = async () => {
    const values = await form.validateFields();
    await action.mutateAsync(toInput(values));
    notifySuccess(t('opinion.cases.recorded'));
    form.resetFields();
  };

  const required = (field: string) => [{ required: true, whitespace: true, message: t('common.required', { field }) }];

  return (
    <Form
      form={form}
      layout="vertical"
      key={item.id}
      initialValues={{ kind: closed ? 'note' : DEFAULT_KIND[item.category], mode: 'existing', regulator: t('opinion.cases.regulatorDefault') }}
      data-testid="case-action-form"
    >
      <Form.Item name="kind" label={t('opinion.cases.kind')}>
        <Select options={kinds.map((k) => ({ value: k, label: t(`opinion.actionKinds.${k}`) }))} data-testid="action-kind" />
      </Form.Item>

      {kind === 'publish_refutation' ? (
        <>
          <Form.Item name="mode" label={t('opinion.cases.refutationMode')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'existing', label: t('opinion.cases.useExisting') },
                { value: 'new', label: t('opinion.cases.writeNew') },
              ]}
            />
          </Form.Item>
          {mode === 'existing' ? (
            <Form.Item name="refutationId" label={t('opinion.refutations.claim')} rules={[{ required: true, message: t('common.select', { field: t('opinion.refutations.claim') }) }]} initialValue={item.refutationId ?? undefined}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                loading={library.isPending}
                options={(library.data?.refutations ?? []).map((r) => ({ value: r.id, label: r.claim }))}
                data-testid="action-refutation"
              />
            </Form.Item>
          ) : (
            <>
              <Form.Item name="claim" label={t('opinion.cases.claim')} rules={[...required(t('opinion.cases.claim')), { min: 2, max: 500 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} data-testid="action-claim" />
              </Form.Item>
              <Form.Item name="facts" label={t('opinion.cases.facts')} rules={[...required(t('opinion.cases.facts')), { min: 2, max: 5000 }]}>
                <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={5000} data-testid="action-facts" />
              </Form.Item>
            </>
          )}
        </>
      ) : null}

      {kind === 'refer_regulator' ? (
        <Form.Item name="regulator" label={t('opinion.cases.regulator')} rules={[...required(t('opinion.cases.regulator')), { max: 60 }]}>
          <Input maxLength={60} data-testid="action-regulator" />
        </Form.Item>
      ) : null}

      {kind === 'request_removal' ? (
        <>
          <Form.Item name="platform" label={t('opinion.cases.platform')} rules={[...required(t('opinion.cases.platform')), { max: 60 }]}>
            <Input maxLength={60} data-testid="action-platform" />
          </Form.Item>
          <Form.Item name="reason" label={t('opinion.cases.reason')} extra={t('opinion.cases.reasonHint')} rules={[...required(t('opinion.cases.reason')), { max: 500 }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} data-testid="action-reason" />
          </Form.Item>
        </>
      ) : null}

      {kind === 'answer_concern' ? (
        <Form.Item name="note" label={t('opinion.cases.answer')} rules={[...required(t('opinion.cases.answer')), { max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} data-testid="action-note" />
        </Form.Item>
      ) : kind === 'no_action' || kind === 'note' ? (
        <Form.Item name="note" label={kind === 'no_action' ? t('opinion.cases.reason') : t('opinion.cases.note')} rules={[...required(kind === 'no_action' ? t('opinion.cases.reason') : t('opinion.cases.note')), { max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid="action-note" />
        </Form.Item>
      ) : (
        <Form.Item name="note" label={t('opinion.cases.note')} rules={[{ max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid="action-note" />
        </Form.Item>
      )}

      <Flex justify="space-between" align="center" gap={8} wrap>
        {closed ? <span /> : (
          <Form.Item name="close" valuePropName="checked" noStyle>
            <Checkbox data-testid="action-close">{t('opinion.cases.close')}</Checkbox>
          </Form.Item>
        )}
        <Button type="primary" loading={action.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="action-submit">
          {t('opinion.cases.record')}
        </Button>
      </Flex>
    </Form>
  );
}
