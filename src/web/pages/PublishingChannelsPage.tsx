import { PublishingChannels } from '../features/publishing/PublishingChannels';

export default function PublishingChannelsPage() {
  return <PublishingChannels />;
}
