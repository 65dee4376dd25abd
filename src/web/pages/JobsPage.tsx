import { JobsTable } from '../features/jobs/JobsTable';

export default function JobsPage() {
  return <JobsTable />;
}
