// The signed-in frame: side menu (by role), header (title, language, user, logout), content outlet.
// Below `md` the menu moves into a Drawer opened from the header, so it works on a village phone.
import { FlagFilled, LogoutOutlined, MenuOutlined, UserOutlined, DownOutlined } from '@ant-design/icons';
import { Avatar, Badge, Button, Drawer, Dropdown, Grid, Layout, Menu, Spin, Typography, type MenuProps } from 'antd';
import { Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useCurrentUser, useLogout } from '../features/auth/session';
import { usePendingReview } from '../features/outreach/outreach.api';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { notifySuccess } from '../lib/notify';
import { NAV_GROUPS, NAV_ITEMS, canOpen, navTestId, selectedNavKey, type NavGroupKey, type NavItem } from './navigation';

const { Header, Sider, Content, Footer } = Layout;

function Brand({ collapsed }: { collapsed?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className={collapsed ? 'brand brand-collapsed' : 'brand'}>
      <span className="brand-mark" aria-hidden>
        <FlagFilled />
      </span>
      {collapsed ? null : <span className="brand-text">{t('app.name')}</span>}
    </div>
  );
}

/** The number of records awaiting review in the user's scope (99+ past the first page). */
function PendingReviewBadge() {
  const user = useCurrentUser();
  const pending = usePendingReview(user.orgId);
  const count = pending.data ? (pending.data.nextBefore ? 100 : pending.data.records.length) : 0;
  return <Badge count={count} overflowCount={99} size="small" className="nav-badge" data-testid="nav-review-badge" />;
}

type MenuItems = NonNullable<MenuProps['items']>;

export function AppLayout() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();
  const screens = Grid.useBreakpoint();
  const isPhone = screens.md === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);

  const menuItems = useMemo<MenuItems>(() => {
    const entry = (item: NavItem) => ({
      key: item.path,
      icon: item.icon,
      label: item.badge ? (
        <span className="nav-label-badge">
          {t(item.labelKey)}
          <PendingReviewBadge />
        </span>
      ) : (
        t(item.labelKey)
      ),
      'data-testid': navTestId(item.path),
    });
    // Grouped items become one sub-menu, placed where the group's first item is.
    const items: MenuItems = [];
    const groups = new Map<NavGroupKey, MenuItems>();
    for (const item of NAV_ITEMS.filter((i) => canOpen(i, user.roles))) {
      if (!item.group) {
        items.push(entry(item));
        continue;
      }
      let children = groups.get(item.group);
      if (!children) {
        children = [];
        groups.set(item.group, children);
        const group = NAV_GROUPS[item.group];
        items.push({ key: `group:${item.group}`, icon: group.icon, label: t(group.labelKey), children, 'data-testid': `nav-group-${item.group}` } as MenuItems[number]);
      }
      children.push(entry(item));
    }
    return items;
  }, [t, user.roles]);

  const onMenuClick: MenuProps['onClick'] = ({ key }) => {
    setDrawerOpen(false);
    void navigate(key);
  };

  const menu = (
    <Menu
      mode="inline"
      theme="dark"
      selectedKeys={[selectedNavKey(location.pathname)]}
      defaultOpenKeys={Object.keys(NAV_GROUPS).map((g) => `group:${g}`)}
      items={menuItems}
      onClick={onMenuClick}
      data-testid="side-menu"
    />
  );

  const doLogout = () => {
    // The session guard takes us to /login once the session is cleared.
    logout.mutate(undefined, { onSettled: () => notifySuccess(t('header.loggedOut')) });
  };

  const userItems: MenuProps['items'] = [
    { key: 'account', icon: <UserOutlined />, label: t('nav.account') },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout'), danger: true },
  ];

  return (
    <Layout className="app-layout">
      {isPhone ? (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={256}
          closable={false}
          styles={{ body: { padding: 0, background: '#001529' }, header: { display: 'none' } }}
          rootClassName="nav-drawer"
        >
          <Brand />
          {menu}
        </Drawer>
      ) : (
        <Sider
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          breakpoint="lg"
          width={216}
          className="app-sider"
        >
          <Brand collapsed={collapsed} />
          {menu}
        </Sider>
      )}
      <Layout>
        <Header className="app-header">
          <div className="app-header-left">
            {isPhone ? (
              <Button
                type="text"
                icon={<MenuOutlined />}
                aria-label={t('nav.open')}
                onClick={() => setDrawerOpen(true)}
                data-testid="nav-toggle"
              />
            ) : null}
            <Typography.Text strong className="app-title" ellipsis>
              {isPhone ? t('app.name') : t('app.title')}
            </Typography.Text>
          </div>
          <div className="app-header-right">
            <LanguageSwitch compact={isPhone} />
            <Dropdown
              menu={{
                items: userItems,
                onClick: ({ key }) => (key === 'logout' ? doLogout() : void navigate('/account')),
              }}
              trigger={['click']}
            >
              <Button type="text" className="user-button" aria-label={t('header.userMenu')} data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} className="user-avatar" />
                <span className="user-name" data-testid="user-display-name">
                  {user.displayName}
                </span>
                <DownOutlined className="user-caret" />
              </Button>
            </Dropdown>
          </div>
        </Header>
        <Content className="app-content">
          <Suspense
            fallback={
              <div className="page-spin">
                <Spin />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Content>
        <Footer className="app-footer">{t('app.footer')}</Footer>
      </Layout>
    </Layout>
  );
}
