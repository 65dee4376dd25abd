import { z } from 'zod';

export const ORG_KINDS = ['district', 'township', 'village', 'community', 'department', 'media'] as const;
export const orgKind = z.enum(ORG_KINDS);
export type OrgKind = z.infer<typeof orgKind>;

/** Which kinds may sit under which: district → township/street → village/community; departments, media. */
export const ALLOWED_PARENTS: Record<OrgKind, readonly OrgKind[]> = {
  district: [],
  township: ['district'],
  village: ['township'],
  community: ['township'],
  department: ['district', 'township'],
  media: ['district'],
};

export const orgSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  code: z.string().nullable(),
});
export type OrgView = z.infer<typeof orgSchema>;

const name = z.string().trim().min(1).max(60);
const code = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, { message: '编码只能包含字母、数字、下划线和连字符，最长 32 位' });

export const createOrgBody = z
  .object({ parentId: z.string().min(1).max(64), name, kind: orgKind, code: code.optional().nullable() })
  .strict();
export type CreateOrgInput = z.infer<typeof createOrgBody>;

export const updateOrgBody = z.object({ name: name.optional(), code: code.nullable().optional() }).strict();
export type UpdateOrgInput = z.infer<typeof updateOrgBody>;

export const orgResponse = z.object({ org: orgSchema });
export const orgsResponse = z.object({ orgs: z.array(orgSchema) });
