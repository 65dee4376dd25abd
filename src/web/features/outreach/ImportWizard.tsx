// Excel 导入: pick the org, download its template, upload the filled file, read the row-by-row
// preview (row, column, reason), and confirm. Nothing is counted before confirmation, and the
// confirm button stays off while any row has an error.
import { CheckCircleOutlined, CloudUploadOutlined, DownloadOutlined, InboxOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Flex, Grid, Result, Row, Spin, Statistic, Steps, Table, Tooltip, Typography, Upload, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { errorText, notifyError } from '../../lib/notify';
import { isHttpError } from '../../lib/http';
import { formatNumber } from '../../lib/format';
import { useCurrentUser } from '../auth/session';
import { OrgTreeSelect } from '../orgs/OrgTreeSelect';
import { filterSearch } from './filters';
import { downloadTemplate, indicatorLookup, useConfirmImport, useIndicators, useUploadImport, type ImportResult, type ImportRow } from './outreach.api';

const MAX_BYTES = 64 * 1024 * 1024;

type HeaderProblem = { row?: number; column?: string; cell?: string; reason?: string };

export function ImportWizard() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [orgId, setOrgId] = useState(user.orgId);
  const [downloading, setDownloading] = useState(false);
  const upload = useUploadImport();
  const confirm = useConfirmImport();
  const [result, setResult] = useState<ImportResult | null>(null);
  const indicators = useIndicators(true);
  const lookup = indicatorLookup(indicators.data);
  const preview = upload.data;
  const compact = Grid.useBreakpoint().md === false;

  const getTemplate = async () => {
    setDownloading(true);
    try {
      await downloadTemplate(orgId);
    } catch (error) {
      notifyError(error);
    } finally {
      setDownloading(false);
    }
  };

  const send = (file: File) => {
    setResult(null);
    confirm.reset();
    if (!/\.xlsx$/i.test(file.name)) {
      upload.reset();
      notifyError(new Error(t('outreach.import.notXlsx')));
      return;
    }
    if (file.size > MAX_BYTES) {
      notifyError(new Error(t('outreach.import.tooLarge')));
      return;
    }
    upload.mutate({ orgId, file });
  };

  const doConfirm = () => {
    if (!preview) return;
    confirm.mutate(preview.id, { onSuccess: setResult });
  };

  const startOver = () => {
    upload.reset();
    confirm.reset();
    setResult(null);
  };

  const errorRows = preview?.rows.filter((r) => r.errors.length > 0).length ?? 0;
  const hasErrors = !!preview && preview.summary.errors > 0;
  const step = result ? 3 : preview ? 2 : upload.isPending ? 1 : 0;

  // A file-level refusal (wrong header, not a workbook) comes as a 400 with the problems in details.
  const uploadProblems: HeaderProblem[] =
    upload.error && isHttpError(upload.error, 400) && Array.isArray(upload.error.details) ? (upload.error.details as HeaderProblem[]) : [];

  const valuesText = (values: ImportRow['values']) => {
    const entries = Object.entries(values);
    if (!entries.length) return <span className="muted">—</span>;
    return (
      <span className="import-values">
        {entries.map(([code, v]) => (
          <span key={code}>
            {lookup(code).name} {formatNumber(v)}
            {lookup(code).unit}
          </span>
        ))}
      </span>
    );
  };
  const errorsList = (errors: ImportRow['errors']) =>
    errors.length ? (
      <ul className="import-errors" data-testid="import-row-errors">
        {errors.map((e, i) => (
          <li key={i}>
            <span className="import-error-where">{[e.cell, e.column].filter(Boolean).join(' ')}</span>
            {e.reason}
          </li>
        ))}
      </ul>
    ) : (
      <Typography.Text type="success">{t('outreach.import.rowOk')}</Typography.Text>
    );

  // On a phone: the row number, then everything about the row in one column, reasons included.
  const phoneColumns: TableColumnsType<ImportRow> = [
    { key: 'row', title: t('outreach.import.row'), dataIndex: 'row', width: 56, align: 'center', render: (n: number) => <span className="mono">{n}</span> },
    {
      key: 'content',
      title: t('outreach.import.content'),
      render: (_, r) => (
        <div className="record-cell">
          <div>
            <span className="mono">{r.orgCode || '—'}</span> {r.orgName} · {r.date || '—'}
          </div>
          <div>{valuesText(r.values)}</div>
          {errorsList(r.errors)}
        </div>
      ),
    },
  ];

  const columns: TableColumnsType<ImportRow> = [
    { key: 'row', title: t('outreach.import.row'), dataIndex: 'row', width: 72, align: 'center', fixed: 'left', render: (n: number) => <span className="mono">{n}</span> },
    { key: 'orgCode', title: t('outreach.import.orgCode'), dataIndex: 'orgCode', render: (v: string) => <span className="mono">{v || '—'}</span> },
    { key: 'orgName', title: t('outreach.import.orgName'), dataIndex: 'orgName', render: (v: string) => v || '—' },
    { key: 'date', title: t('outreach.date'), dataIndex: 'date', width: 108, render: (v: string) => v || '—' },
    { key: 'values', title: t('outreach.import.values'), dataIndex: 'values', render: valuesText },
    { key: 'errors', title: t('outreach.import.problems'), dataIndex: 'errors', render: errorsList },
  ];

  return (
    <>
      <PageHeader title={t('outreach.import.title')} description={t('outreach.import.intro')} />
      <Flex vertical gap={16}>
        <Card size="small">
          <Steps
            size="small"
            current={step}
            responsive={false}
            titlePlacement={compact ? 'vertical' : 'horizontal'}
            className="import-steps"
            items={[
              { title: t('outreach.import.steps.template') },
              { title: t('outreach.import.steps.upload') },
              { title: t('outreach.import.steps.preview') },
              { title: t('outreach.import.steps.done') },
            ]}
          />
        </Card>

        <Card size="small" title={t('outreach.import.step1')}>
          <Flex gap={12} wrap align="center">
            <div className="outreach-org-picker">
              <OrgTreeSelect
                value={orgId}
                onChange={(id) => {
                  setOrgId(id);
                  startOver();
                }}
                testId="import-org"
              />
            </div>
            <Button icon={<DownloadOutlined />} onClick={() => void getTemplate()} loading={downloading} data-testid="import-template">
              {t('outreach.import.downloadTemplate')}
            </Button>
          </Flex>
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
            {t('outreach.import.templateHint')}
          </Typography.Paragraph>
        </Card>

        <Card size="small" title={t('outreach.import.step2')}>
          <Spin spinning={upload.isPending} description={t('outreach.import.checking')}>
            <div data-testid="import-dragger">
              <Upload.Dragger
                accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                multiple={false}
                showUploadList={false}
                disabled={upload.isPending || confirm.isPending}
                beforeUpload={(file) => {
                  send(file);
                  return Upload.LIST_IGNORE;
                }}
              >
                <p className="ant-upload-drag-icon">
                  <InboxOutlined />
                </p>
                <p className="ant-upload-text">{t('outreach.import.drop')}</p>
                <p className="ant-upload-hint">{t('outreach.import.dropHint')}</p>
              </Upload.Dragger>
            </div>
          </Spin>
          {upload.isError ? (
            <Alert
              type="error"
              showIcon
              style={{ marginTop: 12 }}
              title={errorText(upload.error)}
              description={
                uploadProblems.length ? (
                  <ul className="import-errors">
                    {uploadProblems.map((p, i) => (
                      <li key={i}>
                        {p.cell ? <span className="import-error-where">{p.cell}</span> : null}
                        {p.reason}
                      </li>
                    ))}
                  </ul>
                ) : undefined
              }
              data-testid="import-upload-error"
            />
          ) : null}
        </Card>

        {preview && !result ? (
          <Card
            size="small"
            title={t('outreach.import.step3', { name: preview.fileName ?? '' })}
            extra={
              <Button size="small" icon={<ReloadOutlined />} onClick={startOver}>
                {t('outreach.import.again')}
              </Button>
            }
            data-testid="import-preview"
          >
            <Row gutter={[16, 12]} style={{ marginBottom: 12 }}>
              <Col xs={12} md={6}>
                <Statistic title={t('outreach.import.summaryRows')} value={preview.summary.rows} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('outreach.import.summaryRecords')} value={preview.summary.records} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('outreach.import.summaryErrors')}
                  value={preview.summary.errors}
                  styles={{ content: { color: hasErrors ? '#cf1322' : '#389e0d' } }}
                  data-testid="import-error-count"
                />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('outreach.import.summaryDuplicates')} value={preview.summary.duplicates} />
              </Col>
            </Row>
            {hasErrors ? (
              <Alert type="error" showIcon title={t('outreach.import.fixFirst', { rows: errorRows, errors: preview.summary.errors })} style={{ marginBottom: 12 }} />
            ) : preview.summary.records === 0 ? (
              <Alert type="warning" showIcon title={t('outreach.import.nothing')} style={{ marginBottom: 12 }} />
            ) : (
              <Alert
                type="success"
                showIcon
                title={t('outreach.import.ready', { records: preview.summary.records, duplicates: preview.summary.duplicates })}
                style={{ marginBottom: 12 }}
              />
            )}
            <Table<ImportRow>
              rowKey="row"
              size="small"
              columns={compact ? phoneColumns : columns}
              dataSource={preview.rows}
              pagination={preview.rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
              scroll={{ x: 'max-content' }}
              rowClassName={(r) => (r.errors.length ? 'row-error' : '')}
              data-testid="import-table"
            />
            <Flex justify="flex-end" gap={8} style={{ marginTop: 12 }}>
              <Tooltip title={hasErrors ? t('outreach.import.disabledHint') : undefined}>
                <Button
                  type="primary"
                  size="large"
                  icon={<CloudUploadOutlined />}
                  disabled={hasErrors || preview.summary.records === 0 || preview.status === 'confirmed'}
                  loading={confirm.isPending}
                  onClick={doConfirm}
                  data-testid="import-confirm"
                >
                  {t('outreach.import.confirm', { count: preview.summary.records })}
                </Button>
              </Tooltip>
            </Flex>
          </Card>
        ) : null}

        {result ? (
          <Card size="small">
            <Result
              status="success"
              icon={<CheckCircleOutlined />}
              title={t('outreach.import.doneTitle', { count: result.created })}
              subTitle={t('outreach.import.doneSub', { duplicates: result.duplicates, review: result.review })}
              extra={[
                <Button key="records" type="primary" onClick={() => void navigate(`/outreach/records${filterSearch({ orgId })}`)}>
                  {t('outreach.viewRecords')}
                </Button>,
                result.review ? (
                  <Button key="review" onClick={() => void navigate('/outreach/review')}>
                    {t('outreach.import.toReview', { count: result.review })}
                  </Button>
                ) : null,
                <Button key="again" onClick={startOver}>
                  {t('outreach.import.another')}
                </Button>,
              ]}
              data-testid="import-result"
            />
          </Card>
        ) : null}
      </Flex>
    </>
  );
}
