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
  // Runs
  SUCCESS: { label: 'Succeeded', tone: 'green' },
  FAILURE: { label: 'Failed', tone: 'red' },
  // Deliveries
  SENT: { label: 'Sent', tone: 'green' },
  FAILED: { label: 'Failed', tone: 'red' },
  UNCERTAIN: { label: 'Uncertain', tone: 'amber' },
  PENDING: { label: 'Pending', tone: 'grey' },
  SENDING: { label: 'Sending', tone: 'blue' },
} as const satisfies Record<string, { label: string; tone: StatusTone }>;

export type KnownStatus = keyof typeof STATUS_LOOK;

export function statusLook(status: string): { label: string; tone: StatusTone } {
  return status in STATUS_LOOK ? STATUS_LOOK[status as KnownStatus] : { label: status, tone: 'grey' };
}

/** The theme colour of a tone, for charts and meters (Aura palette tokens). */
export const TONE_COLOR: Record<StatusTone, string> = {
  grey: 'var(--p-surface-400)',
  blue: 'var(--p-sky-500)',
  green: 'var(--p-green-500)',
  orange: 'var(--p-orange-500)',
  red: 'var(--p-red-500)',
  amber: 'var(--p-amber-400)',
};
