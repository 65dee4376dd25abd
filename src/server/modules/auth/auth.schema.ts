import { z } from 'zod';

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict();

export const sessionUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  orgId: z.string(),
  orgName: z.string().optional(),
  roles: z.array(z.string()),
});
export type SessionUser = z.infer<typeof sessionUser>;

export const loginResponse = z.object({ user: sessionUser, csrfToken: z.string() });
export const meResponse = z.object({ user: sessionUser, csrfToken: z.string().nullable() });

export const changePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) })
  .strict();

export const createTokenBody = z.object({ name: z.string().trim().min(1).max(60) }).strict();
export const createTokenResponse = z.object({ id: z.string(), token: z.string() });
export const tokensResponse = z.object({
  tokens: z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() })),
});
