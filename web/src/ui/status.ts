/**
 * One colour and one word per state, everywhere in the app: mailings, runs (attempts)
 * and deliveries share this table, so "RUNNING" is the same blue on every page.
 */
export type StatusTone = 'grey' | 'blue' | 'green' | 'orange' | 'red' | 'amber';

export const STATUS_LOOK = {
  // Mailings (plus the manager's switch)
  CREATED: { label: 'Created', tone: 'grey' },
  RUNNING: { label: 'Running', tone: 'blue' },
  FINISHED: { label: 'Finished', tone: 'green' },
  DISABLED: { label: 'Disabled', tone: 'orange' },
  PAUSED: { label: 'Paused', tone: 'orange' },
  // Runs (PREPARING: a large run picks its recipients before it sends)
  PREPARING: { label: 'Preparing', tone: 'blue' },
  SUCCESS: { label: 'Succeeded', tone: 'green' },
  FAILURE: { label: 'Failed', tone: 'red' },
  // Deliveries
  SENT: { label: 'Sent', tone: 'green' },
  FAILED: { label: 'Failed', tone: 'red' },
  UNCERTAIN: { label: 'Uncertain', tone: 'amber' },
  PENDING: { label: 'Pending', tone: 'grey' },
  SENDING: { label: 'Sending', tone: 'blue' },
  // Not sent on purpose (unsubscribed or deleted recipient): held back, like a paused mailing.
  SKIPPED: { label: 'Skipped', tone: 'orange' },
} as const satisfies Record<string, { label: string; tone: StatusTone }>;

export type KnownStatus = keyof typeof STATUS_LOOK;

/** A run that is still open: preparing its recipients or sending. */
export function runIsOpen(status: string | null | undefined): boolean {
  return status === 'PREPARING' || status === 'RUNNING';
}

export function statusLook(status: string): { label: string; tone: StatusTone } {
  return status in STATUS_LOOK ? STATUS_LOOK[status as KnownStatus] : { label: status, tone: 'grey' };
}

/**
 * The theme palette entry of each tone (Aura tokens), for what cannot take a Tag: charts
 * (see chart-theme.ts) and meters. Blue and amber are the shades the tags use.
 */
export const TONE_TOKEN: Record<StatusTone, string> = {
  grey: '--p-surface-400',
  blue: '--p-sky-500',
  green: '--p-green-500',
  orange: '--p-orange-500',
  red: '--p-red-500',
  amber: '--p-amber-500',
};

/** A status's colour as a CSS value, e.g. SENT → var(--p-green-500). */
export function statusCssColor(status: string): string {
  return `var(${TONE_TOKEN[statusLook(status).tone]})`;
}
