// The rich-text body editor (TipTap 3 on ProseMirror). It edits only what the server's allow-list
// keeps — paragraphs, headings 二/三/四级 (the title is the page's h1), bold, italic, underline,
// strikethrough, lists, block quotes, links (http/https/mailto), images from POST /api/media and
// horizontal rules — so what is saved is what comes back. Works as an antd Form control (value /
// onChange with HTML; an empty document is ""). Images are checked for type and size before upload
// (the server checks them again, by content), with progress and errors shown under the toolbar.
import {
  BoldOutlined,
  DisconnectOutlined,
  ItalicOutlined,
  LinkOutlined,
  LineOutlined,
  OrderedListOutlined,
  PictureOutlined,
  RedoOutlined,
  StrikethroughOutlined,
  UnderlineOutlined,
  UndoOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import Image from '@tiptap/extension-image';
import { Placeholder } from '@tiptap/extensions';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { Alert, Button, Divider, Flex, Form, Input, Modal, Progress, Select, Tooltip } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/notify';
import { IMAGE_TYPES, MAX_IMAGE_BYTES, uploadImage } from './publishing.api';
import './editor.css';

type Props = {
  value?: string;
  onChange?: (html: string) => void;
  disabled?: boolean;
  /** Smaller, without headings (live-blog entries). */
  compact?: boolean;
  placeholder?: string;
  testId?: string;
};

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
const htmlOf = (editor: Editor) => (editor.isEmpty ? '' : editor.getHTML());

export function RichEditor({ value = '', onChange, disabled, compact, placeholder, testId = 'content-body' }: Props) {
  const { t } = useTranslation();
  const changed = useRef(onChange);
  changed.current = onChange;
  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: compact ? false : { levels: [2, 3, 4] },
        code: false,
        codeBlock: false,
        link: {
          openOnClick: false,
          autolink: true,
          defaultProtocol: 'https',
          protocols: ['http', 'https', 'mailto'],
          // The server keeps href and adds rel; a target would be dropped, so none is set here.
          HTMLAttributes: { target: null, rel: 'noopener noreferrer nofollow' },
          isAllowedUri: (url) => SAFE_URL.test(url),
        },
      }),
      Image.configure({ inline: false, allowBase64: false }),
      Placeholder.configure({ placeholder: placeholder ?? t('publishing.editor.placeholder') }),
    ],
    content: value,
    editable: !disabled,
    immediatelyRender: true,
    editorProps: { attributes: { 'aria-label': t('publishing.body'), lang: 'zh-CN' } },
    onUpdate: ({ editor: e }) => changed.current?.(htmlOf(e)),
  });

  // The form sets the value when an item loads (or after a save): take it unless it is what we have.
  useEffect(() => {
    if (editor && value !== htmlOf(editor)) editor.commands.setContent(value || '', { emitUpdate: false });
  }, [editor, value]);
  useEffect(() => {
    editor?.setEditable(!disabled);
  }, [editor, disabled]);

  return (
    <div className={`rich-editor${compact ? ' rich-editor-compact' : ''}${disabled ? ' rich-editor-disabled' : ''}`} data-testid={testId}>
      {editor ? <Toolbar editor={editor} disabled={!!disabled} compact={!!compact} /> : null}
      <EditorContent editor={editor} className="rich-editor-content" />
    </div>
  );
}

function Toolbar({ editor, disabled, compact }: { editor: Editor; disabled: boolean; compact: boolean }) {
  const { t } = useTranslation();
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      block: e.isActive('heading', { level: 2 }) ? 'h2' : e.isActive('heading', { level: 3 }) ? 'h3' : e.isActive('heading', { level: 4 }) ? 'h4' : e.isActive('blockquote') ? 'quote' : 'p',
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      underline: e.isActive('underline'),
      strike: e.isActive('strike'),
      bullet: e.isActive('bulletList'),
      ordered: e.isActive('orderedList'),
      link: e.isActive('link'),
      canUndo: e.can().undo(),
      canRedo: e.can().redo(),
    }),
  });
  const [linkOpen, setLinkOpen] = useState(false);
  const [upload, setUpload] = useState<{ name: string; percent: number } | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const tool = (key: string, icon: ReactNode, label: string, active: boolean, run: () => void, enabled = true) => (
    <Tooltip title={label} key={key}>
      <Button
        size="small"
        type={active ? 'primary' : 'text'}
        ghost={active}
        icon={icon}
        aria-label={label}
        aria-pressed={active}
        disabled={disabled || !enabled}
        onMouseDown={(e) => e.preventDefault()} // keep the selection in the editor
        onClick={run}
        data-testid={`tool-${key}`}
      />
    </Tooltip>
  );

  const setBlock = (b: string) => {
    const chain = editor.chain().focus();
    if (b === 'p') chain.setParagraph().run();
    else if (b === 'quote') chain.setParagraph().toggleBlockquote().run();
    else chain.setHeading({ level: Number(b.slice(1)) as 2 | 3 | 4 }).run();
  };

  const pickImage = async (file: File) => {
    setUploadError(null);
    if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) return setUploadError(t('publishing.editor.imageType'));
    if (file.size > MAX_IMAGE_BYTES) return setUploadError(t('publishing.editor.imageSize', { size: (file.size / 1024 / 1024).toFixed(1) }));
    setUpload({ name: file.name, percent: 0 });
    try {
      const media = await uploadImage(file, (f) => setUpload({ name: file.name, percent: Math.round(f * 100) }));
      editor.chain().focus().setImage({ src: media.url, alt: file.name.replace(/\.[a-z0-9]+$/i, '') }).run();
    } catch (e) {
      setUploadError(`${t('publishing.editor.imageFailed')}${errorText(e)}`);
    } finally {
      setUpload(null);
    }
  };

  return (
    <div className="rich-editor-toolbar">
      <Flex gap={2} wrap align="center">
        {!compact ? (
          <Select
            size="small"
            value={state.block}
            onChange={setBlock}
            disabled={disabled}
            style={{ width: 104 }}
            popupMatchSelectWidth={false}
            data-testid="tool-block"
            options={[
              { value: 'p', label: t('publishing.editor.paragraph') },
              { value: 'h2', label: t('publishing.editor.heading2') },
              { value: 'h3', label: t('publishing.editor.heading3') },
              { value: 'h4', label: t('publishing.editor.heading4') },
              { value: 'quote', label: t('publishing.editor.quote') },
            ]}
          />
        ) : null}
        {!compact ? <Divider orientation="vertical" /> : null}
        {tool('bold', <BoldOutlined />, t('publishing.editor.bold'), state.bold, () => editor.chain().focus().toggleBold().run())}
        {tool('italic', <ItalicOutlined />, t('publishing.editor.italic'), state.italic, () => editor.chain().focus().toggleItalic().run())}
        {tool('underline', <UnderlineOutlined />, t('publishing.editor.underline'), state.underline, () => editor.chain().focus().toggleUnderline().run())}
        {tool('strike', <StrikethroughOutlined />, t('publishing.editor.strike'), state.strike, () => editor.chain().focus().toggleStrike().run())}
        <Divider orientation="vertical" />
        {tool('bullet', <UnorderedListOutlined />, t('publishing.editor.bulletList'), state.bullet, () => editor.chain().focus().toggleBulletList().run())}
        {tool('ordered', <OrderedListOutlined />, t('publishing.editor.orderedList'), state.ordered, () => editor.chain().focus().toggleOrderedList().run())}
        <Divider orientation="vertical" />
        {tool('link', <LinkOutlined />, t('publishing.editor.link'), state.link, () => setLinkOpen(true))}
        {tool('unlink', <DisconnectOutlined />, t('publishing.editor.unlink'), false, () => editor.chain().focus().extendMarkRange('link').unsetLink().run(), state.link)}
        {tool('image', <PictureOutlined />, t('publishing.editor.image'), false, () => fileInput.current?.click(), !upload)}
        {!compact ? tool('hr', <LineOutlined />, t('publishing.editor.hr'), false, () => editor.chain().focus().setHorizontalRule().run()) : null}
        <Divider orientation="vertical" />
        {tool('undo', <UndoOutlined />, t('publishing.editor.undo'), false, () => editor.chain().focus().undo().run(), state.canUndo)}
        {tool('redo', <RedoOutlined />, t('publishing.editor.redo'), false, () => editor.chain().focus().redo().run(), state.canRedo)}
      </Flex>
      <input
        ref={fileInput}
        type="file"
        accept={IMAGE_TYPES.join(',')}
        style={{ display: 'none' }}
        data-testid="tool-image-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void pickImage(file);
        }}
      />
      {upload ? (
        <Flex align="center" gap={8} className="rich-editor-upload" data-testid="image-progress">
          <span className="rich-editor-upload-name">{t('publishing.editor.uploading', { name: upload.name })}</span>
          <Progress percent={upload.percent} size="small" style={{ flex: 1, margin: 0 }} />
        </Flex>
      ) : null}
      {uploadError ? <Alert type="error" showIcon closable title={uploadError} onClose={() => setUploadError(null)} style={{ marginTop: 6 }} data-testid="image-error" /> : null}
      <LinkModal
        open={linkOpen}
        initial={(editor.getAttributes('link').href as string | undefined) ?? ''}
        onCancel={() => setLinkOpen(false)}
        onOk={(href) => {
          setLinkOpen(false);
          const { empty } = editor.state.selection;
          if (empty && !editor.isActive('link')) {
            editor.chain().focus().insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] }).insertContent(' ').run();
          } else {
            editor.chain().focus().extendMarkRange('link').setLink({ href }).run();
          }
        }}
      />
    </div>
  );
}

function LinkModal({ open, initial, onOk, onCancel }: { open: boolean; initial: string; onOk: (href: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ href: string }>();
  useEffect(() => {
    if (open) form.setFieldsValue({ href: initial || 'https://' });
  }, [open, initial, form]);
  const submit = async () => onOk((await form.validateFields()).href.trim());
  return (
    <Modal open={open} title={t('publishing.editor.link')} onCancel={onCancel} onOk={submit} okButtonProps={{ 'data-testid': 'link-ok' } as never} forceRender>
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="href"
          label={t('publishing.editor.linkPrompt')}
          rules={[{ required: true, pattern: /^(https?:\/\/[^\s/$.?#].[^\s]*|mailto:\S+@\S+)$/i, message: t('publishing.editor.linkInvalid') }]}
        >
          <Input autoFocus data-testid="link-url" onPressEnter={submit} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
