/** Emails are stored and compared trimmed and lower-cased (accounts, recipients, fixtures). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
