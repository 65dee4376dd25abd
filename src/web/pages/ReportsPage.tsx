import { ReportsView } from '../features/reports/ReportsView';

export default function ReportsPage() {
  return <ReportsView />;
}
