import type { Role } from '@/graphql/generated';

export const ROLE_LABEL: Record<Role, string> = { USER: 'User', MANAGER: 'Manager', ADMIN: 'Admin' };

export const ROLE_OPTIONS = (Object.keys(ROLE_LABEL) as Role[]).map((value) => ({ value, label: ROLE_LABEL[value] }));

/** "Alice Sender (alice@example.com)", or the email alone when there is no name. */
export function userTitle(user: { fullName: string; email: string }): string {
  return user.fullName ? `${user.fullName} (${user.email})` : user.email;
}
