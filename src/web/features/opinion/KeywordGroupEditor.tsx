// The rule editor for a keyword group: name, rule with the syntax at hand, and "试一试" on a sample
// post. Rule errors come from the server's parser (in Chinese, with the position) and are shown under
// the rule, with the offending character marked.
import { Alert, Button, Drawer, Flex, Form, Grid, Input, Switch, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isHttpError } from '../../lib/http';
import { errorText } from '../../lib/notify';
import { notifySuccess } from '../../lib/notify';
import { useSaveGroup, useTestRule, type KeywordGroup } from './config.api';

type RuleError = { message: string; position?: number };

/** The parser's complaint about the rule, if that is what the server said. */
function ruleError(error: unknown): RuleError | null {
  if (!isHttpError(error, 400)) return null;
  const first = Array.isArray(error.details) ? (error.details[0] as { path?: string; message?: string; position?: number } | undefined) : undefined;
  if (first?.path === 'rule' && first.message) return { message: first.message, position: typeof first.position === 'number' ? first.position : undefined };
  return null;
}

function RuleErrorView({ rule, error }: { rule: string; error: RuleError }) {
  const { t } = useTranslation();
  const p = error.position;
  return (
    <div className="op-rule-error" data-testid="rule-error">
      <div>{error.message}</div>
      {p !== undefined && p >= 0 && p <= rule.length ? (
        <div className="op-rule-snippet mono" aria-label={t('opinion.groups.errorAt', { position: p + 1 })}>
          {rule.slice(Math.max(0, p - 20), p)}
          <mark>{rule.slice(p, p + 1) || ' '}</mark>
          {rule.slice(p + 1, p + 21)}
        </div>
      ) : null}
    </div>
  );
}

type Values = { name: string; rule: string; enabled: boolean };

export function KeywordGroupEditor({ group, open, onClose }: { group: KeywordGroup | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<Values>();
  const rule = Form.useWatch('rule', form) ?? '';
  const save = useSaveGroup();
  const test = useTestRule();
  const [sample, setSample] = useState('');
  const [error, setError] = useState<RuleError | null>(null);
  const [otherError, setOtherError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    form.setFieldsValue({ name: group?.name ?? '', rule: group?.rule ?? '', enabled: group?.enabled ?? true });
    setError(null);
    setOtherError(null);
    test.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset only when the drawer opens on a group
  }, [open, group]);

  const fail = (e: unknown) => {
    const r = ruleError(e);
    setError(r);
    setOtherError(r ? null : errorText(e));
  };

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    setOtherError(null);
    try {
      await save.mutateAsync({ id: group?.id, name: v.name.trim(), rule: v.rule.trim(), enabled: v.enabled });
      notifySuccess(t('opinion.groups.saved'));
      onClose();
    } catch (e) {
      fail(e);
    }
  };

  const tryIt = () => {
    if (!rule.trim() || !sample.trim()) return;
    setError(null);
    setOtherError(null);
    test.mutate({ rule: rule.trim(), text: sample }, { onError: fail });
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={group ? t('opinion.groups.edit') : t('opinion.groups.create')}
      size={screens.md ? 620 : '100%'}
      forceRender
      extra={
        <Button type="primary" loading={save.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="group-save">
          {t('common.save')}
        </Button>
      }
      data-testid="group-editor"
    >
      <Form form={form} layout="vertical">
        <Flex gap={16} align="flex-start">
          <Form.Item name="name" label={t('opinion.groups.name')} rules={[{ required: true, whitespace: true, max: 40 }]} style={{ flex: 1 }}>
            <Input maxLength={40} disabled={group?.builtin} data-testid="group-name" />
          </Form.Item>
          <Form.Item name="enabled" label={t('opinion.groups.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Form.Item
          name="rule"
          label={t('opinion.groups.rule')}
          rules={[{ required: true, whitespace: true, max: 4000 }]}
          validateStatus={error ? 'error' : undefined}
          help={error ? <RuleErrorView rule={rule} error={error} /> : undefined}
        >
          <Input.TextArea
            autoSize={{ minRows: 3, maxRows: 10 }}
            className="mono"
            placeholder="(疫情|肺炎|新冠) AND (涨价|哄抬) NOT (股价)"
            onChange={() => error && setError(null)}
            data-testid="group-rule"
          />
        </Form.Item>
      </Form>
      {otherError ? <Alert type="error" showIcon title={otherError} style={{ marginBottom: 16 }} /> : null}

      <Alert
        type="info"
        title={t('opinion.groups.help')}
        description={
          <ul className="op-help-list">
            {(['or', 'and', 'not', 'group', 'normalise'] as const).map((k) => (
              <li key={k}>{t(`opinion.groups.helpLines.${k}`)}</li>
            ))}
            <li className="mono">{t('opinion.groups.example')}</li>
          </ul>
        }
        style={{ marginBottom: 16 }}
      />

      <div className="op-try" data-testid="rule-try">
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('opinion.groups.tryIt')}
        </Typography.Title>
        <Input.TextArea
          value={sample}
          onChange={(e) => setSample(e.target.value)}
          placeholder={t('opinion.groups.tryText')}
          autoSize={{ minRows: 3, maxRows: 8 }}
          maxLength={10_000}
          data-testid="rule-sample"
        />
        <Flex gap={12} align="center" style={{ marginTop: 8 }} wrap>
          <Button onClick={tryIt} loading={test.isPending} disabled={!rule.trim() || !sample.trim()} data-testid="rule-test">
            {t('opinion.groups.test')}
          </Button>
          {test.data ? (
            <Tag color={test.data.matches ? 'success' : 'default'} data-testid="rule-result">
              {test.data.matches ? t('opinion.groups.match') : t('opinion.groups.noMatch')}
            </Tag>
          ) : null}
        </Flex>
        {test.data ? (
          <Typography.Paragraph type="secondary" className="op-meta" style={{ marginTop: 8 }}>
            {t('opinion.common.field', { label: t('opinion.groups.normalized'), value: test.data.normalized })}
          </Typography.Paragraph>
        ) : null}
      </div>
    </Drawer>
  );
}
