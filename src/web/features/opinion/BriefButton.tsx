// 舆情日报 on demand: pick a day (default yesterday, as the server decides) and a format; the
// generated document (archived by the server) is downloaded.
import { FileWordOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Modal, Radio } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError, notifySuccess } from '../../lib/notify';
import { downloadBrief, type BriefFormat } from './opinion.api';

export function BriefButton() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [date, setDate] = useState<Dayjs | null>(null);
  const [format, setFormat] = useState<BriefFormat>('docx');
  const [busy, setBusy] = useState(false);

  const generate = async () => {
    setBusy(true);
    try {
      await downloadBrief(format, date ? date.format('YYYY-MM-DD') : undefined);
      notifySuccess(t('opinion.brief.done'));
      setOpen(false);
    } catch (error) {
      notifyError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button icon={<FileWordOutlined />} onClick={() => setOpen(true)} data-testid="brief-open">
        {t('opinion.brief.button')}
      </Button>
      <Modal
        title={t('opinion.brief.title')}
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => void generate()}
        okText={t('opinion.brief.generate')}
        okButtonProps={{ loading: busy, 'data-testid': 'brief-generate' }}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('opinion.brief.date')} extra={t('opinion.brief.dateHint')}>
            <DatePicker value={date} onChange={setDate} disabledDate={(d) => d.isAfter(dayjs(), 'day')} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item label={t('opinion.brief.format')}>
            <Radio.Group
              value={format}
              onChange={(e) => setFormat(e.target.value as BriefFormat)}
              optionType="button"
              options={(['docx', 'markdown', 'html'] as const).map((f) => ({ value: f, label: t(`opinion.brief.formats.${f}`) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
