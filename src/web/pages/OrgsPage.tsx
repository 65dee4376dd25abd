import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/PageHeader';
import { OrgsConsole } from '../features/orgs/OrgsConsole';

export default function OrgsPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('orgs.title')} />
      <OrgsConsole />
    </>
  );
}
