import { Card, Descriptions } from 'antd';
import { useTranslation } from 'react-i18next';
import { RoleTags } from '../../components/Tags';
import { useCurrentUser } from '../auth/session';
import { useOrgs } from '../orgs/orgs.api';

export function ProfileCard() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const orgs = useOrgs();
  const org = orgs.data?.find((o) => o.id === user.orgId);
  return (
    <Card title={t('account.profile')}>
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('users.username')}>
          <span className="mono">{user.username}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('users.displayName')}>{user.displayName}</Descriptions.Item>
        <Descriptions.Item label={t('users.org')}>{org?.name ?? (orgs.isPending ? t('common.loading') : t('common.unknown'))}</Descriptions.Item>
        <Descriptions.Item label={t('users.roles')}>
          <RoleTags roles={user.roles} />
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
