import { OutreachOverview } from '../features/outreach/OutreachOverview';

export default function OutreachOverviewPage() {
  return <OutreachOverview />;
}
