import { z } from 'zod';
import { ROLES } from '../../kernel/roles.ts';

export const roleEnum = z.enum(ROLES);

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  orgId: z.string(),
  roles: z.array(z.string()),
  status: z.enum(['active', 'locked', 'disabled']),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userSchema>;

const username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9_.-]+$/, { message: '用户名只能包含字母、数字、下划线、点和连字符' });
const displayName = z.string().trim().min(1).max(50);
const roles = z.array(roleEnum).min(1).max(ROLES.length);
const orgId = z.string().min(1).max(64);

export const createUserBody = z
  .object({ username, password: z.string().min(1).max(200), displayName, orgId, roles })
  .strict();
export type CreateUserInput = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .object({ displayName: displayName.optional(), orgId: orgId.optional(), roles: roles.optional(), disabled: z.boolean().optional() })
  .strict();
export type UpdateUserInput = z.infer<typeof updateUserBody>;

export const userResponse = z.object({ user: userSchema });
export const usersResponse = z.object({ users: z.array(userSchema) });
