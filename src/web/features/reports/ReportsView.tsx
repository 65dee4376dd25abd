// 工作总结: the stage summary for an org and period (preview, Word, Markdown), the daily brief, the
// archive of everything generated, and the stage-summary template with its versions.
import { DownloadOutlined, FileMarkdownOutlined, FileWordOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Empty, Flex, Form, Input, Space, Spin, Table, Tabs, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultPeriod, fromDayjs, toDayjs, today, type Period } from '../../lib/dates';
import { postForBlob } from '../../lib/http';
import { errorText, notifyError, notifySuccess } from '../../lib/notify';
import { useCurrentUser } from '../auth/session';
import { OrgTreeSelect } from '../orgs/OrgTreeSelect';
import { ReportFrame } from './ReportFrame';
import { downloadArchived, generate, useArchive, useSaveTemplate, useTemplate, type ArchiveItem, type ReportFormat } from './reports.api';

function useGenerator(path: string) {
  const [html, setHtml] = useState<string | null>(null);
  const [busy, setBusy] = useState<ReportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (body: Record<string, unknown>, format: ReportFormat) => {
    setBusy(format);
    setError(null);
    try {
      const out = await generate(path, body, format);
      if (out !== null) setHtml(out);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  return { html, busy, error, run };
}

function Downloads({ busy, onRun }: { busy: ReportFormat | null; onRun: (f: ReportFormat) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <Button type="primary" loading={busy === 'html'} onClick={() => onRun('html')} data-testid="report-generate">
        {t('reports.generate')}
      </Button>
      <Button icon={<FileWordOutlined />} loading={busy === 'docx'} onClick={() => onRun('docx')} data-testid="report-docx">
        {t('reports.downloadWord')}
      </Button>
      <Button icon={<FileMarkdownOutlined />} loading={busy === 'markdown'} onClick={() => onRun('markdown')} data-testid="report-markdown">
        {t('reports.downloadMarkdown')}
      </Button>
    </>
  );
}

function StageSummary() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const [orgId, setOrgId] = useState(user.orgId);
  const [period, setPeriod] = useState<Period>(defaultPeriod());
  const gen = useGenerator('/reports/stage-summary');
  return (
    <Flex vertical gap={12}>
      <Space wrap>
        <div style={{ width: 260 }}>
          <OrgTreeSelect value={orgId} onChange={setOrgId} testId="report-org" />
        </div>
        <DatePicker.RangePicker
          value={[toDayjs(period.from), toDayjs(period.to)]}
          allowClear={false}
          onChange={(r) => r?.[0] && r[1] && setPeriod({ from: fromDayjs(r[0]), to: fromDayjs(r[1]) })}
          data-testid="report-range"
        />
        <Downloads busy={gen.busy} onRun={(format) => gen.run({ orgId, ...period }, format)} />
      </Space>
      {gen.error ? <Alert type="error" showIcon title={gen.error} /> : null}
      {gen.html ? <ReportFrame html={gen.html} /> : <Empty description={t('reports.pickAndGenerate')} />}
    </Flex>
  );
}

function DailyBrief() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const [orgId, setOrgId] = useState(user.orgId);
  const [date, setDate] = useState(today());
  const gen = useGenerator('/reports/daily-brief');
  return (
    <Flex vertical gap={12}>
      <Space wrap>
        <div style={{ width: 260 }}>
          <OrgTreeSelect value={orgId} onChange={setOrgId} />
        </div>
        <DatePicker value={toDayjs(date)} allowClear={false} onChange={(d) => d && setDate(fromDayjs(d))} />
        <Downloads busy={gen.busy} onRun={(format) => gen.run({ orgId, date }, format)} />
      </Space>
      {gen.error ? <Alert type="error" showIcon title={gen.error} /> : null}
      {gen.html ? <ReportFrame html={gen.html} testId="brief-frame" /> : <Empty description={t('reports.pickAndGenerate')} />}
    </Flex>
  );
}

function Archive() {
  const { t } = useTranslation();
  const archive = useArchive();
  return (
    <Table<ArchiveItem>
      rowKey="id"
      size="small"
      loading={archive.isPending}
      dataSource={archive.data?.reports ?? []}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      columns={[
        { key: 'createdAt', title: t('reports.createdAt'), dataIndex: 'createdAt', render: (v: string) => v.slice(0, 16).replace('T', ' ') },
        { key: 'kind', title: t('reports.kind'), dataIndex: 'kind', render: (k: string) => (k === 'stage-summary' || k === 'daily-brief' ? t(`reports.kinds.${k}`) : k) },
        { key: 'period', title: t('reports.period'), render: (_: unknown, r) => (r.from === r.to ? r.from : `${r.from} ~ ${r.to}`) },
        { key: 'format', title: t('reports.format'), dataIndex: 'format' },
        { key: 'templateVersion', title: t('reports.templateVersion'), dataIndex: 'templateVersion', render: (v: number | null) => (v ? `v${v}` : '') },
        {
          key: 'actions',
          title: t('common.actions'),
          render: (_: unknown, r) => (
            <Button size="small" icon={<DownloadOutlined />} onClick={() => downloadArchived(r).catch(notifyError)}>
              {t('reports.download')}
            </Button>
          ),
        },
      ]}
    />
  );
}

function TemplateEditor() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const template = useTemplate('stage-summary');
  const save = useSaveTemplate('stage-summary');
  const [parts, setParts] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [html, setHtml] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState(false);
  useEffect(() => {
    if (template.data) setParts(template.data.parts);
  }, [template.data]);
  if (template.isPending) return <Spin />;
  if (template.isError) return <Alert type="error" showIcon title={errorText(template.error)} />;
  const period = defaultPeriod();

  const preview = async () => {
    setPreviewing(true);
    try {
      const { blob } = await postForBlob('/reports/templates/stage-summary/preview', { orgId: user.orgId, ...period, format: 'html', parts });
      setHtml(await blob.text());
    } catch (e) {
      notifyError(e);
    } finally {
      setPreviewing(false);
    }
  };
  const saveVersion = async () => {
    try {
      const out = await save.mutateAsync({ parts, ...(note ? { note } : {}) });
      setNote('');
      notifySuccess(t('reports.templateSaved', { version: out.version }));
    } catch (e) {
      notifyError(e);
    }
  };

  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">{t('reports.templateHint', { version: template.data.version })}</Typography.Text>
      <Form layout="vertical">
        {Object.keys({ ...template.data.defaults, ...parts }).map((key) => (
          <Form.Item key={key} label={<code>{key}</code>} extra={parts[key] !== template.data.defaults[key] ? t('reports.changedFromDefault') : undefined}>
            <Input.TextArea value={parts[key] ?? ''} onChange={(e) => setParts({ ...parts, [key]: e.target.value })} autoSize={{ minRows: 2, maxRows: 12 }} maxLength={5000} />
          </Form.Item>
        ))}
      </Form>
      <Space wrap>
        <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('reports.versionNote')} maxLength={200} style={{ width: 260 }} />
        <Button onClick={preview} loading={previewing}>
          {t('reports.previewTemplate')}
        </Button>
        <Button type="primary" onClick={saveVersion} loading={save.isPending}>
          {t('reports.saveVersion')}
        </Button>
        <Button onClick={() => setParts(template.data.defaults)}>{t('reports.restoreDefaults')}</Button>
      </Space>
      {html ? <ReportFrame html={html} testId="template-frame" /> : null}
      <Typography.Title level={5}>{t('reports.versionHistory')}</Typography.Title>
      <Table
        rowKey="version"
        size="small"
        pagination={false}
        dataSource={template.data.versions}
        columns={[
          { key: 'version', title: t('reports.version'), dataIndex: 'version', render: (v: number) => `v${v}` },
          { key: 'createdAt', title: t('reports.createdAt'), dataIndex: 'createdAt', render: (v: string) => v.slice(0, 16).replace('T', ' ') },
          { key: 'createdBy', title: t('reports.createdBy'), dataIndex: 'createdBy' },
          { key: 'note', title: t('reports.versionNote'), dataIndex: 'note' },
        ]}
      />
    </Flex>
  );
}

export function ReportsView() {
  const { t } = useTranslation();
  return (
    <Card title={t('reports.title')}>
      <Tabs
        destroyOnHidden={false}
        items={[
          { key: 'stage', label: t('reports.tabs.stage'), children: <StageSummary /> },
          { key: 'daily', label: t('reports.tabs.daily'), children: <DailyBrief /> },
          { key: 'archive', label: t('reports.tabs.archive'), children: <Archive /> },
          { key: 'template', label: t('reports.tabs.template'), children: <TemplateEditor /> },
        ]}
      />
    </Card>
  );
}

