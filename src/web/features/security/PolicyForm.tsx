// The password and login policy, edited by a security administrator.
import { Button, Card, Col, Form, InputNumber, Row } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { DataState } from '../../components/DataState';
import { notifySuccess } from '../../lib/notify';
import { usePolicy, useSavePolicy, type SecurityPolicy } from './security.api';

export function PolicyForm() {
  const { t } = useTranslation();
  const policy = usePolicy();
  const save = useSavePolicy();
  const [form] = Form.useForm<SecurityPolicy>();

  useEffect(() => {
    if (policy.data) form.setFieldsValue(policy.data);
  }, [policy.data, form]);

  const fields: { name: keyof SecurityPolicy; min: number; max: number; unit: string }[] = [
    // The server's floors (security.schema.ts): the policy can be tightened, never relaxed below them.
    { name: 'minLength', min: 10, max: 64, unit: t('security.charsUnit') },
    { name: 'minClasses', min: 3, max: 4, unit: t('security.classesUnit') },
    { name: 'maxFailures', min: 3, max: 10, unit: t('security.timesUnit') },
    { name: 'lockMinutes', min: 5, max: 24 * 60, unit: t('security.minutesUnit') },
    { name: 'sessionIdleMinutes', min: 5, max: 24 * 60, unit: t('security.minutesUnit') },
  ];

  return (
    <Card title={t('security.policy')}>
      <DataState query={policy} rows={5}>
        {() => (
          <Form<SecurityPolicy>
            form={form}
            layout="vertical"
            onFinish={(values) => save.mutate(values, { onSuccess: () => notifySuccess(t('security.policySaved')) })}
          >
            <p className="muted" style={{ marginTop: 0 }}>
              {t('security.policyIntro')}
            </p>
            <Row gutter={16}>
              {fields.map((field) => (
                <Col xs={24} sm={12} lg={8} xxl={12} key={field.name}>
                  <Form.Item
                    name={field.name}
                    label={t(`security.${field.name}`)}
                    rules={[{ required: true, type: 'integer', min: field.min, max: field.max }]}
                  >
                    <InputNumber
                      min={field.min}
                      max={field.max}
                      precision={0}
                      suffix={field.unit}
                      style={{ width: '100%' }}
                      data-testid={`policy-${field.name}`}
                    />
                  </Form.Item>
                </Col>
              ))}
            </Row>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="policy-save">
              {t('common.save')}
            </Button>
          </Form>
        )}
      </DataState>
    </Card>
  );
}
