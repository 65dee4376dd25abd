import { ImportWizard } from '../features/outreach/ImportWizard';

export default function OutreachImportPage() {
  return <ImportWizard />;
}
