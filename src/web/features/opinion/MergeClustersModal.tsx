// 合并聚类: the analyst has selected clusters that make one claim in different words; they pick the
// cluster to keep (the largest by default) and confirm, being told what moves and that it is final.
import { Alert, Modal, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../../lib/notify';
import { CategoryTag } from './labels';
import { useMergeClusters, type Cluster } from './opinion.api';

type Props = { clusters: Cluster[]; open: boolean; onClose: () => void; onMerged: (into: string) => void };

export function MergeClustersModal({ clusters, open, onClose, onMerged }: Props) {
  const { t } = useTranslation();
  const largest = clusters.reduce<Cluster | undefined>((best, c) => (!best || c.size > best.size ? c : best), undefined);
  const [picked, setPicked] = useState<string | undefined>();
  const into = clusters.some((c) => c.id === picked) ? picked! : largest?.id;
  const merge = useMergeClusters();

  const submit = () => {
    if (!into) return;
    const from = clusters.filter((c) => c.id !== into).map((c) => c.id);
    merge.mutate(
      { into, from },
      {
        onSuccess: () => {
          notifySuccess(t('opinion.clusters.merged', { count: from.length }));
          setPicked(undefined);
          onMerged(into);
        },
      },
    );
  };

  return (
    <Modal
      open={open}
      title={t('opinion.clusters.mergeTitle')}
      okText={t('opinion.clusters.mergeOk')}
      okButtonProps={{ danger: true, disabled: clusters.length < 2, ...{ 'data-testid': 'merge-confirm' } }}
      confirmLoading={merge.isPending}
      onOk={submit}
      onCancel={onClose}
      destroyOnHidden
      width={640}
    >
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Typography.Text strong>{t('opinion.clusters.mergeTarget')}</Typography.Text>
        <Radio.Group value={into} onChange={(e) => setPicked(e.target.value as string)} style={{ width: '100%' }} data-testid="merge-target">
          <Space direction="vertical" style={{ width: '100%' }}>
            {clusters.map((c) => (
              <Radio key={c.id} value={c.id}>
                <Space size={6} align="start">
                  <CategoryTag category={c.category} />
                  <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>
                    {t('opinion.clusters.sizeCount', { count: c.size })}
                  </Typography.Text>
                  <Typography.Text className="op-clamp-2">{c.sampleText}</Typography.Text>
                </Space>
              </Radio>
            ))}
          </Space>
        </Radio.Group>
        <Alert type="warning" showIcon message={t('opinion.clusters.mergeIrreversible')} description={t('opinion.clusters.mergeEffect')} />
      </Space>
    </Modal>
  );
}
