// Export the current view (by child, by day, or the records) of an org and period as .xlsx or .csv.
import { DownOutlined, DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Space, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError } from '../../lib/notify';
import { downloadExport, type ExportFormat, type ExportView } from './outreach.api';

const VIEWS: ExportView[] = ['children', 'days', 'records'];

export function ExportButtons({ orgId, from, to, defaultView = 'children' }: { orgId: string; from: string; to: string; defaultView?: ExportView }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<ExportFormat | null>(null);

  const run = async (format: ExportFormat, view: ExportView) => {
    setBusy(format);
    try {
      const { truncated } = await downloadExport({ orgId, from, to, view, format });
      if (truncated) void message.warning(t('outreach.export.truncated'));
    } catch (error) {
      notifyError(error);
    } finally {
      setBusy(null);
    }
  };

  const menu = (format: ExportFormat): MenuProps => ({
    items: VIEWS.map((view) => ({ key: view, label: t(`outreach.export.views.${view}`), 'data-testid': `export-${format}-${view}` })),
    onClick: ({ key }) => void run(format, key as ExportView),
  });

  return (
    <>
      {(['xlsx', 'csv'] as const).map((format) => (
        <Space.Compact key={format}>
          <Button icon={<DownloadOutlined />} loading={busy === format} onClick={() => void run(format, defaultView)} data-testid={`export-${format}`}>
            {t(`outreach.export.${format}`)}
          </Button>
          <Dropdown menu={menu(format)} trigger={['click']} placement="bottomRight">
            <Button icon={<DownOutlined />} aria-label={t('outreach.export.choose')} disabled={busy !== null} />
          </Dropdown>
        </Space.Compact>
      ))}
    </>
  );
}
