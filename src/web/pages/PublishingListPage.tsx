import { ContentList } from '../features/publishing/ContentList';

export default function PublishingListPage() {
  return <ContentList />;
}
