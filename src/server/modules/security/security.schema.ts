import { z } from 'zod';
import { userSchema } from '../users/users.schema.ts';

export const policySchema = z
  .object({
    minLength: z.number().int().min(10).max(64),
    minClasses: z.number().int().min(3).max(4),
    maxFailures: z.number().int().min(3).max(10),
    lockMinutes: z.number().int().min(5).max(24 * 60),
    sessionIdleMinutes: z.number().int().min(5).max(24 * 60),
  })
  .strict();
export type PasswordPolicy = z.infer<typeof policySchema>;

export const policyResponse = z.object({ policy: policySchema });
export const resetPasswordBody = z.object({ password: z.string().min(1).max(200) }).strict();
export const userResponse = z.object({ user: userSchema });
