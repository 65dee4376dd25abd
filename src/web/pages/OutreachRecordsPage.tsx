import { RecordsView } from '../features/outreach/RecordsView';

export default function OutreachRecordsPage() {
  return <RecordsView />;
}
