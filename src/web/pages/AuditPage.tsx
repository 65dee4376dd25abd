import { AuditLog } from '../features/audit/AuditLog';

export default function AuditPage() {
  return <AuditLog />;
}
