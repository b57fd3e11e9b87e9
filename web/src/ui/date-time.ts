/** The browser's time zone, e.g. "Europe/Berlin": every time on screen is shown in it. */
export const browserTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The zone as people read it next to a date field: "Europe/Berlin (CET)", or just
 * "UTC" where the short name adds nothing.
 */
export function timeZoneLabel(at: Date = new Date()): string {
  const short = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
  return short && short !== browserTimeZone ? `${browserTimeZone} (${short})` : browserTimeZone;
}

// Intl refuses dateStyle/timeStyle together with timeZoneName, so the parts are spelled out.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
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
