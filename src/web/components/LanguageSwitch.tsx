import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES, setLanguage, type Language } from '../lib/i18n';

/** 简体中文 / English. `compact` shows only the globe (phone headers). */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <Dropdown
      menu={{
        items: LANGUAGES.map((lang) => ({ key: lang, label: t(`languages.${lang}`), 'data-testid': `lang-${lang}` })),
        selectable: true,
        selectedKeys: [language],
        onClick: ({ key }) => setLanguage(key as Language),
      }}
      trigger={['click']}
    >
      <Button type="text" icon={<GlobalOutlined />} aria-label={t('header.language')} data-testid="lang-switch">
        {compact ? null : t(`languages.${language}`)}
      </Button>
    </Dropdown>
  );
}
