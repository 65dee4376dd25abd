// Security policy endpoints (/api/security/policy) and the password rules derived from the policy.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Rule } from 'antd/es/form';
import { http } from '../../lib/http';
import { i18n } from '../../lib/i18n';

export type SecurityPolicy = {
  minLength: number;
  minClasses: number;
  maxFailures: number;
  lockMinutes: number;
  sessionIdleMinutes: number;
};

/** The contract's floor (API.md): 10 characters, three of four classes. Used when the policy is unreadable. */
export const DEFAULT_PASSWORD_RULE = { minLength: 10, minClasses: 3 };

export const policyKey = ['security', 'policy'] as const;

export const getPolicy = () => http.get<{ policy: SecurityPolicy }>('/security/policy').then((r) => r.policy);

export function usePolicy(options: { quiet?: boolean } = {}) {
  return useQuery({ queryKey: policyKey, queryFn: getPolicy, meta: { quiet: options.quiet }, retry: false });
}

export function useSavePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (policy: SecurityPolicy) =>
      http.put<{ policy: SecurityPolicy }>('/security/policy', policy).then((r) => r.policy),
    onSuccess: (policy) => queryClient.setQueryData(policyKey, policy),
  });
}

/** The password rule for forms; anyone may not read the policy, so fall back to the contract's floor. */
export function usePasswordRule(): { minLength: number; minClasses: number } {
  const { data } = usePolicy({ quiet: true });
  return data ? { minLength: data.minLength, minClasses: data.minClasses } : DEFAULT_PASSWORD_RULE;
}

export function characterClasses(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
}

/** Client-side check mirroring the server's; the server's answer still decides. */
export function passwordRules(rule: { minLength: number; minClasses: number }): Rule[] {
  return [
    { required: true, message: i18n.t('login.passwordRequired') },
    {
      validator: async (_, value: string | undefined) => {
        if (!value) return;
        if (value.length < rule.minLength) throw new Error(i18n.t('password.tooShort', rule));
        if (characterClasses(value) < rule.minClasses) throw new Error(i18n.t('password.tooFewClasses', rule));
      },
    },
  ];
}
