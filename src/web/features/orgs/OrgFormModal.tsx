// Add-a-child and rename forms for an org. Kind can only be chosen at creation (the API has no kind
// change), so rename edits name and code only.
import { Form, Input, Modal, Select, type ButtonProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { orgKindLabel } from '../../lib/labels';
import { notifySuccess } from '../../lib/notify';
import { useCreateOrg, useUpdateOrg, type Org } from './orgs.api';
import { childKindsOf } from './orgs.tree';

/** The server's code rule (orgs.schema.ts). */
const CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

type Values = { name: string; kind: string; code?: string };

export type OrgFormMode = { type: 'create'; parent: Org } | { type: 'rename'; org: Org };

export function OrgFormModal({
  mode,
  onClose,
  onSaved,
}: {
  mode: OrgFormMode | null;
  onClose: () => void;
  onSaved: (org: Org) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const createOrg = useCreateOrg();
  const updateOrg = useUpdateOrg();
  const saving = createOrg.isPending || updateOrg.isPending;

  useEffect(() => {
    if (!mode) return;
    form.resetFields();
    if (mode.type === 'create') form.setFieldsValue({ name: '', kind: childKindsOf(mode.parent.kind)[0], code: '' });
    else form.setFieldsValue({ name: mode.org.name, kind: mode.org.kind, code: mode.org.code ?? '' });
  }, [mode, form]);

  const submit = (values: Values) => {
    if (!mode) return;
    const name = values.name.trim();
    const code = values.code?.trim() || undefined;
    if (mode.type === 'create') {
      createOrg.mutate(
        { parentId: mode.parent.id, name, kind: values.kind, ...(code ? { code } : {}) },
        {
          onSuccess: (org) => {
            notifySuccess(t('orgs.created', { name: org.name }));
            onSaved(org);
          },
        },
      );
    } else {
      updateOrg.mutate(
        { id: mode.org.id, changes: { name, ...((code ?? null) !== mode.org.code ? { code: code ?? null } : {}) } },
        {
          onSuccess: (org) => {
            notifySuccess(t('orgs.updated'));
            onSaved(org);
          },
        },
      );
    }
  };

  const kinds = mode?.type === 'create' ? childKindsOf(mode.parent.kind) : mode ? [mode.org.kind] : [];

  const title =
    mode?.type === 'create' ? t('orgs.addChildTitle', { parent: mode.parent.name }) : t('orgs.renameTitle');

  return (
    <Modal
      open={mode !== null}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'org-form-submit' } as ButtonProps}
      forceRender
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark="optional" style={{ marginTop: 16 }}>
        <Form.Item
          name="name"
          label={t('orgs.name')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('orgs.name') }) },
            { max: 60 },
          ]}
        >
          <Input data-testid="org-form-name" maxLength={60} autoFocus />
        </Form.Item>
        <Form.Item
          name="kind"
          label={t('orgs.kind')}
          rules={[{ required: true, message: t('common.select', { field: t('orgs.kind') }) }]}
        >
          <Select
            data-testid="org-form-kind"
            disabled={mode?.type === 'rename'}
            options={kinds.map((kind) => ({ value: kind, label: orgKindLabel(t, kind) }))}
          />
        </Form.Item>
        <Form.Item name="code" label={t('orgs.code')} extra={t('orgs.codeHint')} rules={[{ pattern: CODE_PATTERN, message: t('orgs.codeRule') }]}>
          <Input data-testid="org-form-code" maxLength={32} />
        </Form.Item>
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
