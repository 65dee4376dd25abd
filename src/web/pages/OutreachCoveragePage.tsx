import { CoverageView } from '../features/outreach/CoverageView';

export default function OutreachCoveragePage() {
  return <CoverageView />;
}
