// Per-channel preview: what the editor has on screen, as each channel would receive it — the public
// page (网站/客户端 link to it), WeChat's inline-styled HTML, Weibo's text with its length against
// the 2,000-character limit, the TV script with its reading time. The same renderers as the real
// site and the exports; nothing is stored.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { notFound } from '../../kernel/errors.ts';
import { findContent } from './publishing.queries.ts';
import { plainText, sanitizeBody } from './publishing.sanitize.ts';
import { exportFor, publicUrlOf } from './publishing.delivery.ts';
import { liveEntriesOf, renderArticle } from './publishing.public.ts';
import { WEIBO_LIMIT, type PreviewInput } from './publishing.schema.ts';

/** Stands in for the id of an unsaved item: a link of the same length as the real one. */
const UNSAVED_ID = '00000000-0000-4000-8000-000000000000';

const BANNER = '<div style="background:#fffbe6;border:1px solid #ffe58f;padding:6px 12px;margin-bottom:12px;font-size:13px;color:#874d00">预览：以下为发布后网站页面的样子，尚未公开。</div>';

export async function previewContent(kernel: Kernel, actor: Actor | null, input: PreviewInput) {
  let live: Array<{ at: string; body_html: string }> = [];
  let row: Awaited<ReturnType<typeof findContent>> | undefined;
  if (input.id) {
    row = await findContent(kernel.db, input.id);
    await kernel.authz.require(actor, 'content.read', { orgId: row?.org_id ?? null, hideOutOfScope: true, target: input.id });
    if (!row) throw notFound('稿件');
    if (input.kind === 'live') live = await liveEntriesOf(kernel, input.id);
  } else {
    await kernel.authz.require(actor, 'content.read');
  }
  const item = {
    id: input.id ?? UNSAVED_ID,
    kind: input.kind,
    theme: input.theme ?? row?.theme ?? '',
    title: input.title,
    summary: input.summary || null,
    body_html: sanitizeBody(input.body),
    is_repost: input.isRepost ? 1 : 0,
    source_name: input.isRepost && input.sourceName ? input.sourceName : null,
    published_at: row?.published_at ?? new Date(kernel.clock()).toISOString(),
    correction_note: row?.correction_note ?? null,
  };
  if (input.channel === 'website') {
    const html = renderArticle(kernel, item, live, BANNER);
    return { channel: input.channel, format: 'html' as const, body: html, length: [...plainText(item.body_html)].length, limit: null, truncated: false, minutes: null };
  }
  const out = exportFor(input.channel, item, publicUrlOf(kernel, item.id));
  const length = [...(out.format === 'html' ? plainText(out.body) : out.body)].length;
  const text = plainText(item.body_html);
  return {
    channel: input.channel,
    format: out.format as 'html' | 'text',
    body: out.body,
    length,
    limit: input.channel === 'weibo' ? WEIBO_LIMIT : null,
    truncated: input.channel === 'weibo' && !out.body.includes(text),
    minutes: input.channel === 'tv' ? Math.max(1, Math.round([...text].length / 240)) : null,
  };
}
