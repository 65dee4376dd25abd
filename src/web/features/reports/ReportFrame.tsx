import { useTranslation } from 'react-i18next';
import { framed } from './reports.api';

/** A generated report, shown sandboxed (no scripts, no same-origin); its links open in the top window. */
export function ReportFrame({ html, testId = 'report-frame' }: { html: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <iframe
      title={t('reports.preview')}
      srcDoc={framed(html)}
      sandbox="allow-popups allow-top-navigation-by-user-activation"
      style={{ width: '100%', height: 720, border: '1px solid #e5e5e5', borderRadius: 6, background: '#fff' }}
      data-testid={testId}
    />
  );
}
