// The home page: who you are, where you sit in the org tree, and what you can see — all live data.
import { Card, Col, Descriptions, Flex, Row, Skeleton, Statistic, Tag, Typography } from 'antd';
import { ApartmentOutlined, TeamOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { NAV_ITEMS, canOpen } from '../../app/navigation';
import { OrgKindTag, RoleTags } from '../../components/Tags';
import { ORG_KINDS, ORG_KIND_COLORS, orgKindLabel } from '../../lib/labels';
import { hasRole } from '../auth/auth.api';
import { useCurrentUser } from '../auth/session';
import { useOrgs } from '../orgs/orgs.api';
import { orgPath } from '../orgs/orgs.tree';
import { useUsers } from '../users/users.api';
import { ReporterEntryCard, ReporterOnlyNotice, isReporterOnly } from './ReporterEntry';

export function Welcome() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const isAdmin = hasRole(user, 'admin');
  const orgs = useOrgs();
  const users = useUsers({ enabled: isAdmin });

  const path = orgs.data ? orgPath(orgs.data, user.orgId) : [];
  const ownOrg = path[path.length - 1];
  const kindCounts = ORG_KINDS.map((kind) => ({
    kind,
    count: orgs.data?.filter((o) => o.kind === kind).length ?? 0,
  })).filter((entry) => entry.count > 0);
  const shortcuts = NAV_ITEMS.filter((item) => item.path !== '/' && canOpen(item, user.roles));

  return (
    <Flex vertical gap={16}>
      {isReporterOnly(user) ? <ReporterOnlyNotice /> : null}
      <Card data-testid="welcome-card">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('home.welcome', { name: user.displayName })}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('home.intro')}</Typography.Paragraph>
        <Descriptions column={1} size="small" styles={{ label: { width: 96 } }}>
          <Descriptions.Item label={t('home.org')}>
            {orgs.isPending ? (
              <Skeleton.Input active size="small" />
            ) : ownOrg ? (
              <span data-testid="welcome-org">
                <OrgKindTag kind={ownOrg.kind} />
                {path.map((o) => o.name).join(' / ')}
              </span>
            ) : (
              <span className="muted">{t('common.unknown')}</span>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('home.roles')}>
            {user.roles.length ? <RoleTags roles={user.roles} /> : <span className="muted">{t('home.noRoles')}</span>}
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={12} lg={8}>
          <Card>
            <Statistic
              title={t('home.orgCount')}
              value={orgs.data?.length ?? 0}
              loading={orgs.isPending}
              prefix={<ApartmentOutlined />}
              suffix={t('home.orgUnit')}
              data-testid="stat-orgs"
            />
          </Card>
        </Col>
        {isAdmin ? (
          <Col xs={12} lg={8}>
            <Card>
              <Statistic
                title={t('home.userCount')}
                value={users.data?.length ?? 0}
                loading={users.isPending}
                prefix={<TeamOutlined />}
                suffix={t('home.userUnit')}
                data-testid="stat-users"
              />
            </Card>
          </Col>
        ) : null}
        <Col xs={24} lg={isAdmin ? 8 : 16}>
          <Card title={t('home.orgBreakdown')} size="small" styles={{ body: { minHeight: 58 } }}>
            {orgs.isPending ? (
              <Skeleton active paragraph={false} />
            ) : (
              <Flex wrap gap={8}>
                {kindCounts.map(({ kind, count }) => (
                  <Tag key={kind} color={ORG_KIND_COLORS[kind]}>
                    {orgKindLabel(t, kind)} {count}
                  </Tag>
                ))}
              </Flex>
            )}
          </Card>
        </Col>
      </Row>

      {shortcuts.length > 0 ? (
        <Card title={t('home.shortcuts')} size="small">
          <Flex wrap gap={12}>
            {shortcuts.map((item) => (
              <Link key={item.path} to={item.path} className="shortcut">
                <Tag icon={item.icon} style={{ padding: '4px 12px', fontSize: 14 }}>
                  {t(item.labelKey)}
                </Tag>
              </Link>
            ))}
          </Flex>
        </Card>
      ) : null}

      <ReporterEntryCard />
    </Flex>
  );
}
