// The editor of one item (/publishing/new, /publishing/:id): its fields, the workflow actions its
// state and the caller's roles allow (the server has the last word and its refusal is shown), and
// side panels for review comments, versions with diffs, and per-channel deliveries and exports; under
// the form, a preview per selected channel of what is on screen, and for live blogs their entries.
import { Alert, Button, Card, Checkbox, Col, DatePicker, Flex, Form, Input, Modal, Row, Select, Space, Spin, Switch, Tabs, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorText, notifySuccess } from '../../lib/notify';
import { useCurrentUser } from '../auth/session';
import { ChannelPreview } from './ChannelPreview';
import { LivePanel } from './LivePanel';
import { RichEditor } from './RichEditor';
import { ContentStatusTag } from './labels';
import { CommentsPanel, DeliveriesPanel, VersionsPanel } from './panels';
import { CHANNELS, KINDS, THEMES, useContent, useContentAction, type Channel, type Content, type ContentInput, type Kind } from './publishing.api';

type NoteAction = 'reject' | 'unpublish' | 'correct';
type FormValues = ContentInput;

const DEFAULTS: Partial<FormValues> = { kind: 'news', theme: 'progress', channels: ['website'], isRepost: false, body: '' };

function toInput(c: Content): FormValues {
  return {
    kind: c.kind,
    title: c.title,
    body: c.body,
    theme: c.theme,
    channels: c.channels,
    summary: c.summary ?? '',
    isRepost: c.isRepost,
    sourceName: c.sourceName ?? '',
    sourceUrl: c.sourceUrl ?? '',
  };
}

/** Drops empty optional strings so the server's validators see only what was filled in. */
function clean(values: FormValues): ContentInput {
  const out: ContentInput = { kind: values.kind, title: values.title, body: values.body ?? '', theme: values.theme, channels: values.channels, isRepost: !!values.isRepost };
  if (values.summary) out.summary = values.summary;
  if (values.isRepost && values.sourceName) out.sourceName = values.sourceName;
  if (values.isRepost && values.sourceUrl) out.sourceUrl = values.sourceUrl;
  return out;
}

export function ContentEditor({ id }: { id?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const user = useCurrentUser();
  const roles = user.roles as string[];
  const detail = useContent(id);
  const action = useContentAction(id);
  const [form] = Form.useForm<FormValues>();
  const isRepost = Form.useWatch('isRepost', form);
  const watched = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const [error, setError] = useState<string | null>(null);
  const [noteAction, setNoteAction] = useState<NoteAction | null>(null);
  const [note, setNote] = useState('');
  const [scheduleAt, setScheduleAt] = useState<Dayjs | null>(null);

  const content = detail.data?.content;
  useEffect(() => {
    if (content) form.setFieldsValue(toInput(content));
  }, [content, form]);

  const run = async (name: string, body?: unknown, done?: string) => {
    setError(null);
    try {
      const result = await action.mutateAsync({ action: name, body });
      notifySuccess(done ?? t('publishing.actions.done'));
      if (name === 'create' && result.content) navigate(`/publishing/${result.content.id}`, { replace: true });
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };

  const save = async () => {
    const values = await form.validateFields();
    if (!id) await run('create', clean(values), t('common.saved'));
    else await run('update', clean(values), t('common.saved'));
  };

  /** 送审 saves unsaved edits first, so what goes to review is what is on the screen. */
  const submit = async () => {
    if (form.isFieldsTouched()) {
      const values = await form.validateFields();
      if (!(await run('update', clean(values), t('common.saved')))) return;
    }
    await run('submit');
  };

  const submitNote = async () => {
    if (!noteAction) return;
    const body = noteAction === 'correct' ? { note, body: form.getFieldValue('body') ?? '', title: form.getFieldValue('title') } : { note };
    if (await run(noteAction, body)) {
      setNoteAction(null);
      setNote('');
    }
  };

  if (id && detail.isPending) return <Spin />;
  if (id && detail.isError) return <Alert type="error" title={errorText(detail.error)} showIcon />;

  const status = content?.status;
  const has = (...rs: string[]) => rs.some((r) => roles.includes(r));
  const editable = !status || status === 'draft' || (status === 'published' && has('reviewer', 'publicity'));
  const busy = action.isPending;

  const buttons = (
    <Space wrap>
      {!status || status === 'draft' ? (
        <Button onClick={save} loading={busy} data-testid="content-save">
          {t('common.save')}
        </Button>
      ) : null}
      {status === 'draft' ? (
        <Button type="primary" onClick={submit} loading={busy} data-testid="content-submit">
          {t('publishing.actions.submit')}
        </Button>
      ) : null}
      {status === 'in_review' && has('reviewer') ? (
        <>
          <Button type="primary" onClick={() => run('approve')} loading={busy} data-testid="content-approve">
            {t('publishing.actions.approve')}
          </Button>
          <Button danger onClick={() => setNoteAction('reject')} data-testid="content-reject">
            {t('publishing.actions.reject')}
          </Button>
        </>
      ) : null}
      {status === 'approved' ? (
        <>
          <Button type="primary" onClick={() => run('publish', {})} loading={busy} data-testid="content-publish">
            {t('publishing.actions.publish')}
          </Button>
          <DatePicker showTime value={scheduleAt} onChange={setScheduleAt} placeholder={t('publishing.actions.scheduleAt')} data-testid="content-schedule-at" />
          <Button disabled={!scheduleAt} onClick={() => scheduleAt && run('publish', { scheduledAt: scheduleAt.toISOString() })} data-testid="content-schedule">
            {t('publishing.actions.schedule')}
          </Button>
        </>
      ) : null}
      {status === 'scheduled' ? (
        <Button onClick={() => run('unschedule')} loading={busy} data-testid="content-unschedule">
          {t('publishing.actions.unschedule')}
        </Button>
      ) : null}
      {status === 'published' && has('reviewer', 'publicity') ? (
        <>
          <Button danger onClick={() => setNoteAction('unpublish')} data-testid="content-unpublish">
            {t('publishing.actions.unpublish')}
          </Button>
          <Button onClick={() => setNoteAction('correct')} data-testid="content-correct">
            {t('publishing.actions.correct')}
          </Button>
        </>
      ) : null}
      {status === 'published' ? (
        <>
          <Typography.Link href={`/news/${content?.id}`} target="_blank" data-testid="content-preview-link">
            {t('publishing.actions.preview')}
          </Typography.Link>
        </>
      ) : null}
    </Space>
  );

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={15}>
        <Card
          title={
            <Space>
              {id ? content?.title : t('publishing.newItem')}
              {status ? <ContentStatusTag status={status} /> : null}
              {content ? <Typography.Text type="secondary">v{content.version}</Typography.Text> : null}
            </Space>
          }
        >
          <Flex vertical gap={12}>
            {error ? <Alert type="error" title={error} showIcon closable onClose={() => setError(null)} data-testid="action-error" /> : null}
            {status === 'published' && has('reviewer', 'publicity') ? <Alert type="info" title={t('publishing.correctHint')} showIcon /> : null}
            <Form<FormValues> form={form} layout="vertical" initialValues={DEFAULTS} disabled={!editable}>
              <Form.Item name="title" label={t('publishing.title')} rules={[{ required: true, max: 120 }]}>
                <Input data-testid="content-title" maxLength={120} />
              </Form.Item>
              <Row gutter={12}>
                <Col xs={24} md={12}>
                  <Form.Item name="kind" label={t('publishing.kind')} rules={[{ required: true }]}>
                    <Select options={KINDS.map((k) => ({ value: k, label: t(`publishing.kinds.${k}`) }))} data-testid="content-kind" />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="theme" label={t('publishing.theme')} rules={[{ required: true }]}>
                    <Select options={THEMES.map((k) => ({ value: k, label: t(`publishing.themes.${k}`) }))} data-testid="content-theme" />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="channels" label={t('publishing.channels')} rules={[{ required: true, type: 'array', min: 1 }]}>
                <Checkbox.Group options={CHANNELS.map((c) => ({ value: c, label: t(`publishing.channelNames.${c}`) }))} />
              </Form.Item>
              <Row gutter={12}>
                <Col xs={24} md={6}>
                  <Form.Item name="isRepost" label={t('publishing.isRepost')} valuePropName="checked">
                    <Switch />
                  </Form.Item>
                </Col>
                {isRepost ? (
                  <>
                    <Col xs={24} md={8}>
                      <Form.Item name="sourceName" label={t('publishing.sourceName')} rules={[{ max: 60 }]}>
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={10}>
                      <Form.Item name="sourceUrl" label={t('publishing.sourceUrl')} rules={[{ type: 'url' }]}>
                        <Input placeholder="https://" />
                      </Form.Item>
                    </Col>
                  </>
                ) : null}
              </Row>
              <Form.Item name="summary" label={t('publishing.summary')} rules={[{ max: 300 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={300} showCount />
              </Form.Item>
              <Form.Item name="body" label={t('publishing.body')}>
                <RichEditor />
              </Form.Item>
            </Form>
            {buttons}
          </Flex>
        </Card>
        {content?.kind === 'live' ? (
          <Card title={t('publishing.live.title')} style={{ marginTop: 16 }} size="small">
            <LivePanel content={content} canWrite={has('editor', 'publicity') && content.status !== 'unpublished'} />
          </Card>
        ) : null}
        <Card title={t('publishing.preview.title')} style={{ marginTop: 16 }} size="small" data-testid="content-preview">
          <ChannelPreview
            channels={(watched?.channels ?? content?.channels ?? DEFAULTS.channels ?? []) as Channel[]}
            input={{
              kind: (watched?.kind ?? content?.kind ?? 'news') as Kind,
              title: watched?.title ?? content?.title ?? '',
              body: watched?.body ?? content?.body ?? '',
              theme: watched?.theme ?? content?.theme,
              summary: watched?.summary || undefined,
              isRepost: !!watched?.isRepost,
              sourceName: watched?.isRepost ? watched?.sourceName || undefined : undefined,
              id,
            }}
          />
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        {id && detail.data ? (
          <Card size="small">
            <Tabs
              items={[
                { key: 'comments', label: t('publishing.panels.comments'), children: <CommentsPanel id={id} comments={detail.data.comments} /> },
                { key: 'versions', label: t('publishing.panels.versions'), children: <VersionsPanel id={id} /> },
                { key: 'deliveries', label: t('publishing.panels.deliveries'), children: <DeliveriesPanel content={detail.data.content} deliveries={detail.data.deliveries} /> },
              ]}
            />
          </Card>
        ) : (
          <Alert type="info" title={t('publishing.saveFirst')} showIcon />
        )}
      </Col>
      <Modal
        open={!!noteAction}
        title={noteAction ? t(`publishing.actions.${noteAction}`) : ''}
        onCancel={() => setNoteAction(null)}
        onOk={submitNote}
        okButtonProps={{ disabled: !note.trim(), loading: busy, 'data-testid': 'note-ok' } as never}
        destroyOnHidden
      >
        {noteAction === 'correct' ? <Typography.Paragraph type="secondary">{t('publishing.correctModalHint')}</Typography.Paragraph> : null}
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} autoSize={{ minRows: 3 }} placeholder={t('publishing.notePlaceholder')} data-testid="note-input" />
      </Modal>
    </Row>
  );
}
