// Images for content bodies. Stored in the database (any instance serves any file), named by
// their SHA-256, checked by their first bytes rather than by what the client claims.
import crypto from 'node:crypto';
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { iso } from '../../kernel/time.ts';

export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
export const MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

export function sniffImage(b: Buffer): string | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && (b.subarray(0, 6).toString('ascii') === 'GIF87a' || b.subarray(0, 6).toString('ascii') === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && b.subarray(0, 4).toString('ascii') === 'RIFF' && b.subarray(8, 12).toString('ascii') === 'WEBP') return 'image/webp';
  return null;
}

export async function uploadMedia(kernel: Kernel, actor: Actor | null, bytes: Buffer, declared: string) {
  const a = await kernel.authz.require(actor, 'content.write');
  const mime = sniffImage(bytes);
  if (!mime) throw new AppError('unsupported_media_type', '只接受 PNG、JPEG、GIF、WebP 图片');
  if (mime !== declared) throw new AppError('invalid_input', `文件内容是 ${mime}，与声明的 ${declared} 不符`);
  const id = crypto.createHash('sha256').update(bytes).digest('hex');
  await kernel.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('pub_media')
      .values({ id, mime, size: bytes.length, bytes, created_by: a.userId, created_at: iso(kernel.clock()) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await kernel.audit.record({ actor: a, action: 'media.upload', target: id, detail: { mime, size: bytes.length } }, trx);
  });
  return { id, url: `/media/${id}`, mime, size: bytes.length };
}

export const getMedia = (kernel: Kernel, id: string) => kernel.db.selectFrom('pub_media').select(['mime', 'bytes']).where('id', '=', id).executeTakeFirst();
