import { IndicatorsAdmin } from '../features/outreach/IndicatorsAdmin';

export default function OutreachIndicatorsPage() {
  return <IndicatorsAdmin />;
}
