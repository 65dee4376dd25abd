import { ReviewQueue } from '../features/outreach/ReviewQueue';

export default function OutreachReviewPage() {
  return <ReviewQueue />;
}
