import { PublishingStats } from '../features/publishing/PublishingStats';

export default function PublishingStatsPage() {
  return <PublishingStats />;
}
