// 新建工单 from a post or a cluster: title (the post's opening words by default), category and an
// optional assignee; the due time follows from the category on the server. Opens the new case.
import { FileAddOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { notifySuccess } from '../../lib/notify';
import { useAssignees, useCreateCase } from './cases.api';
import { CATEGORIES, type Category } from './opinion.api';

type Props = {
  postId?: string;
  clusterId?: string;
  category: Category;
  /** Shown as the default title's placeholder. */
  text: string;
  size?: 'small' | 'middle';
  type?: 'default' | 'primary' | 'link';
  /** An open case of the cluster: the button opens it instead of making another. */
  caseId?: string | null;
  testId?: string;
};

export function CreateCaseButton({ postId, clusterId, category, text, size = 'small', type = 'default', caseId, testId = 'create-case' }: Props) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ title?: string; category: Category; assigneeId?: string }>();
  const assignees = useAssignees();
  const create = useCreateCase();

  if (caseId) {
    return (
      <Button size={size} type={type} onClick={() => void navigate(`/opinion/cases?case=${caseId}`)} data-testid="open-case">
        {t('opinion.common.openCase')}
      </Button>
    );
  }

  const submit = async () => {
    const values = await form.validateFields();
    const detail = await create.mutateAsync({ postId, clusterId, category: values.category, title: values.title?.trim() || undefined, assigneeId: values.assigneeId });
    notifySuccess(t('opinion.cases.created'));
    setOpen(false);
    void navigate(`/opinion/cases?case=${detail.case.id}`);
  };

  return (
    <>
      <Button size={size} type={type} icon={<FileAddOutlined />} onClick={() => setOpen(true)} data-testid={testId}>
        {t('opinion.common.createCase')}
      </Button>
      <Modal
        title={t('opinion.cases.newTitle')}
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => void submit().catch(() => undefined)}
        okButtonProps={{ loading: create.isPending, 'data-testid': 'create-case-ok' }}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ category }} preserve={false}>
          <Form.Item name="title" label={t('opinion.cases.caseTitle')} extra={t('opinion.cases.titleHint')} rules={[{ max: 120 }]}>
            <Input placeholder={text.slice(0, 40)} maxLength={120} data-testid="case-title" />
          </Form.Item>
          <Form.Item name="category" label={t('opinion.common.category')} rules={[{ required: true }]}>
            <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`opinion.categories.${c}`) }))} />
          </Form.Item>
          <Form.Item name="assigneeId" label={t('opinion.cases.assignee')}>
            <Select allowClear placeholder={t('opinion.cases.unassigned')} loading={assignees.isPending} options={(assignees.data?.users ?? []).map((u) => ({ value: u.id, label: u.displayName }))} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
