import { Col, Row } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/PageHeader';
import { PolicyForm } from '../features/security/PolicyForm';
import { SecurityAccounts } from '../features/security/SecurityAccounts';

export default function SecurityPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('security.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={8}>
          <PolicyForm />
        </Col>
        <Col xs={24} xxl={16}>
          <SecurityAccounts />
        </Col>
      </Row>
    </>
  );
}
