import { UsersConsole } from '../features/users/UsersConsole';

export default function UsersPage() {
  return <UsersConsole />;
}
