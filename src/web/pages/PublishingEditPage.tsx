import { useParams } from 'react-router';
import { ContentEditor } from '../features/publishing/ContentEditor';

export default function PublishingEditPage() {
  const { id } = useParams();
  // A new key per item, so going from /publishing/new to the saved item starts the form afresh.
  return <ContentEditor key={id ?? 'new'} id={id} />;
}
