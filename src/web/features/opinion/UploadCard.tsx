// Upload a CSV or JSONL file of posts under a source name. The server takes the whole file or none of
// it; when it refuses, the rows and fields at fault are listed here (from error.details).
import { UploadOutlined } from '@ant-design/icons';
import { Alert, AutoComplete, Button, Card, Flex, Form, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isHttpError } from '../../lib/http';
import { errorText } from '../../lib/notify';
import { useUploadPosts, type Source } from './config.api';

type RowProblem = { row?: number; path?: string; message: string };

function problems(error: unknown): RowProblem[] {
  if (!isHttpError(error) || !Array.isArray(error.details)) return [];
  return (error.details as RowProblem[]).filter((d) => d && typeof d.message === 'string');
}

export function UploadCard({ sources }: { sources: Source[] }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState('');
  const upload = useUploadPosts();
  const rows = problems(upload.error);

  const start = () => {
    if (!file || !source.trim()) return;
    upload.mutate({ file, source: source.trim() });
  };

  return (
    <Card size="small" title={t('opinion.sources.upload')} data-testid="upload-card">
      <Flex vertical gap={12}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('opinion.sources.uploadHint')}
          <br />
          {t('opinion.sources.uploadPrivacy')}
        </Typography.Paragraph>
        <Form layout="inline" className="op-upload-form">
          <Form.Item label={t('opinion.sources.uploadSource')} required>
            <AutoComplete
              value={source}
              onChange={setSource}
              options={sources.filter((s) => s.kind === 'upload').map((s) => ({ value: s.name }))}
              style={{ width: 200 }}
              placeholder={t('opinion.sources.nameHint')}
              data-testid="upload-source"
            />
          </Form.Item>
          <Form.Item>
            <Upload
              accept=".csv,.jsonl,.ndjson,text/csv"
              maxCount={1}
              beforeUpload={(f) => {
                setFile(f);
                upload.reset();
                return false;
              }}
              onRemove={() => setFile(null)}
              fileList={file ? [{ uid: 'f', name: file.name, status: 'done' }] : []}
            >
              <Button icon={<UploadOutlined />} data-testid="upload-pick">
                {t('opinion.sources.pickFile')}
              </Button>
            </Upload>
          </Form.Item>
          <Form.Item>
            <Button type="primary" disabled={!file || !source.trim()} loading={upload.isPending} onClick={start} data-testid="upload-start">
              {t('opinion.sources.doUpload')}
            </Button>
          </Form.Item>
        </Form>
        {upload.data ? (
          <Alert type="success" showIcon title={t('opinion.sources.uploaded', { created: upload.data.created, duplicates: upload.data.duplicates })} data-testid="upload-result" />
        ) : null}
        {upload.error ? (
          <Alert
            type="error"
            showIcon
            title={t('opinion.sources.uploadFailed')}
            description={errorText(upload.error)}
            data-testid="upload-error"
          />
        ) : null}
        {rows.length ? (
          <Table<RowProblem>
            size="small"
            rowKey={(r, i) => `${r.row ?? ''}-${r.path ?? ''}-${i}`}
            dataSource={rows}
            pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
            columns={[
              { key: 'row', title: t('opinion.sources.row'), dataIndex: 'row', width: 70 },
              { key: 'path', title: t('opinion.sources.field'), dataIndex: 'path', width: 140 },
              { key: 'message', title: t('opinion.sources.problem'), dataIndex: 'message' },
            ]}
            data-testid="upload-problems"
          />
        ) : null}
      </Flex>
    </Card>
  );
}
