// The body editor of this pass: a plain TextArea of HTML with a small toolbar that inserts the
// basic tags (段落, 小标题, 加粗, 链接, 图片). Images go up to POST /api/media first. The server
// sanitises the HTML on save; the editor page previews what the server gave back.
import { BoldOutlined, FontSizeOutlined, LinkOutlined, PictureOutlined, PicCenterOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Upload } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError } from '../../lib/notify';
import { uploadImage } from './publishing.api';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function BodyEditor({ value = '', onChange, disabled }: { value?: string; onChange?: (value: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const ref = useRef<TextAreaRef>(null);

  /** Wraps the selection in `before`…`after` (or inserts `placeholder` between them). */
  const wrap = (before: string, after: string, placeholder: string) => {
    const el = ref.current?.resizableTextArea?.textArea;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const inner = value.slice(start, end) || placeholder;
    const next = `${value.slice(0, start)}${before}${inner}${after}${value.slice(end)}`;
    onChange?.(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + before.length, start + before.length + inner.length);
    });
  };

  const link = () => {
    const href = window.prompt(t('publishing.editor.linkPrompt'), 'https://');
    if (href && /^https?:\/\//i.test(href)) wrap(`<a href="${escapeAttr(href)}">`, '</a>', t('publishing.editor.linkText'));
  };

  const image = async (file: File) => {
    try {
      const media = await uploadImage(file);
      wrap(`<p><img src="${escapeAttr(media.url)}" alt="`, '" /></p>\n', escapeAttr(file.name));
    } catch (error) {
      notifyError(error);
    }
    return false;
  };

  return (
    <Flex vertical gap={8}>
      <Flex gap={4} wrap>
        <Button size="small" icon={<PicCenterOutlined />} disabled={disabled} onClick={() => wrap('<p>', '</p>\n', t('publishing.editor.paragraphText'))} data-testid="tool-p">
          {t('publishing.editor.paragraph')}
        </Button>
        <Button size="small" icon={<FontSizeOutlined />} disabled={disabled} onClick={() => wrap('<h2>', '</h2>\n', t('publishing.editor.headingText'))}>
          {t('publishing.editor.heading')}
        </Button>
        <Button size="small" icon={<BoldOutlined />} disabled={disabled} onClick={() => wrap('<strong>', '</strong>', t('publishing.editor.boldText'))}>
          {t('publishing.editor.bold')}
        </Button>
        <Button size="small" icon={<LinkOutlined />} disabled={disabled} onClick={link}>
          {t('publishing.editor.link')}
        </Button>
        <Upload accept="image/png,image/jpeg,image/gif,image/webp" showUploadList={false} beforeUpload={(file) => image(file)} disabled={disabled}>
          <Button size="small" icon={<PictureOutlined />} disabled={disabled}>
            {t('publishing.editor.image')}
          </Button>
        </Upload>
      </Flex>
      <Input.TextArea
        ref={ref}
        value={value}
        onChange={(e) => onChange?.(e.target.value)}
        disabled={disabled}
        autoSize={{ minRows: 10, maxRows: 30 }}
        style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' }}
        placeholder={t('publishing.editor.placeholder')}
        data-testid="content-body"
      />
    </Flex>
  );
}
