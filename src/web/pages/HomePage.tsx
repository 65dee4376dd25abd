import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/PageHeader';
import { Welcome } from '../features/home/Welcome';

export default function HomePage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('nav.home')} />
      <Welcome />
    </>
  );
}
