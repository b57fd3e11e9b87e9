/** The browser's time zone, e.g. "Europe/Berlin": every time on screen is shown in it. */
export const browserTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZoneName: 'short',
});
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function toDate(value: Date | string): Date {
  return typeof value === 'string' ? new Date(value) : value;
}

/** "12 May 2026, 14:05 CEST": a point in time in the browser's zone, the zone named. */
export function formatDateTime(value: Date | string | null | undefined): string {
  return value == null ? '—' : dateTimeFormat.format(toDate(value));
}

/** "12 May 2026": a day, for charts and periods. */
export function formatDate(value: Date | string | null | undefined): string {
  return value == null ? '—' : dateFormat.format(toDate(value));
}
