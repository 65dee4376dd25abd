// Loading, error and empty states for a query, so no page renders a bare blank.
import { Button, Empty, Result, Skeleton } from 'antd';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/notify';

type Props<T> = {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  rows?: number;
  children: (data: T) => ReactNode;
};

export function DataState<T>({ query, isEmpty, empty, rows = 4, children }: Props<T>) {
  const { t } = useTranslation();
  if (query.isPending) return <Skeleton active paragraph={{ rows }} />;
  if (query.isError) {
    return (
      <Result
        status="warning"
        title={t('common.loadFailed')}
        subTitle={errorText(query.error)}
        extra={
          <Button onClick={() => void query.refetch()} loading={query.isFetching}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  if (isEmpty?.(query.data)) return <>{empty ?? <Empty description={t('common.empty')} />}</>;
  return <>{children(query.data)}</>;
}
