import { Col, Row } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/PageHeader';
import { ApiTokens } from '../features/account/ApiTokens';
import { ChangePasswordForm } from '../features/account/ChangePasswordForm';
import { ProfileCard } from '../features/account/ProfileCard';

export default function AccountPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('account.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Row gutter={[16, 16]}>
            <Col span={24}>
              <ProfileCard />
            </Col>
            <Col span={24}>
              <ChangePasswordForm />
            </Col>
          </Row>
        </Col>
        <Col xs={24} lg={14}>
          <ApiTokens />
        </Col>
      </Row>
    </>
  );
}
