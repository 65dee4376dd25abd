// The way to the village reporters' phone entry (/reporter/), a separate light page that works
// offline. Reporters are pointed there; everyone else can show its QR code to the people they work with.
import { MobileOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, QRCode, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { SessionUser } from '../auth/auth.api';

export const REPORTER_PATH = '/reporter/';

/** Only the reporter role: the admin app has little for them, the phone entry is their tool. */
export const isReporterOnly = (user: SessionUser) => user.roles.length > 0 && user.roles.every((r) => r === 'reporter');

export function ReporterEntryCard() {
  const { t } = useTranslation();
  const url = `${window.location.origin}${REPORTER_PATH}`;
  return (
    <Card title={t('home.reporterEntry')} size="small" data-testid="reporter-entry-card">
      <Flex gap={16} align="center" wrap>
        <QRCode value={url} size={112} bordered={false} />
        <Flex vertical gap={8} style={{ flex: '1 1 200px', minWidth: 0 }}>
          <Typography.Text>{t('home.reporterEntryIntro')}</Typography.Text>
          <Typography.Text copyable={{ text: url }} className="mono">
            {REPORTER_PATH}
          </Typography.Text>
          <div>
            <Button href={REPORTER_PATH} icon={<MobileOutlined />} data-testid="reporter-entry-link">
              {t('home.reporterEntryOpen')}
            </Button>
          </div>
        </Flex>
      </Flex>
    </Card>
  );
}

export function ReporterOnlyNotice() {
  const { t } = useTranslation();
  return (
    <Alert
      type="info"
      showIcon
      icon={<MobileOutlined />}
      title={t('home.reporterOnlyTitle')}
      description={t('home.reporterOnlyText')}
      action={
        <Button type="primary" href={REPORTER_PATH} data-testid="reporter-only-link">
          {t('home.reporterEntryOpen')}
        </Button>
      }
      data-testid="reporter-only-notice"
    />
  );
}
