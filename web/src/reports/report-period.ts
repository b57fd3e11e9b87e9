import { computed, ref } from 'vue';

/** Ready-made periods, counted in whole days up to and including today. */
export const PERIOD_PRESETS = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
] as const;

export const DEFAULT_PERIOD_DAYS = 30;

function startOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate());
}

function endOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), 23, 59, 59, 999);
}

/** The last `days` days in the browser's zone, today included. */
export function lastDays(days: number, today = new Date()): [Date, Date] {
  const start = startOfDay(today);
  start.setDate(start.getDate() - (days - 1));
  return [start, startOfDay(today)];
}

function sameDay(a: Date | null | undefined, b: Date): boolean {
  return a != null && startOfDay(a).getTime() === startOfDay(b).getTime();
}

/**
 * The period a report covers: whole days in the browser's zone, picked as a range or a
 * preset. `range` is what the date picker edits (its end is null while the user is between
 * the two clicks); `period` keeps the last complete range, from the first instant of its
 * first day to the last instant of its last day.
 */
export function useReportPeriod(initialDays = DEFAULT_PERIOD_DAYS) {
  const range = ref<Array<Date | null> | null>(lastDays(initialDays));
  const complete = ref<[Date, Date]>(lastDays(initialDays));

  function setRange(value: Array<Date | null> | null | undefined): void {
    range.value = value ?? null;
    const [start, end] = value ?? [];
    if (start && end) complete.value = [start, end];
  }

  const period = computed(() => ({ from: startOfDay(complete.value[0]), to: endOfDay(complete.value[1]) }));

  /** The preset the period equals, if any (a picked range of the same days counts too). */
  const presetDays = computed<number | null>(() => {
    const match = PERIOD_PRESETS.find(({ days }) => {
      const [start, end] = lastDays(days);
      return sameDay(complete.value[0], start) && sameDay(complete.value[1], end);
    });
    return match?.days ?? null;
  });

  function choosePreset(days: number | null): void {
    if (days) setRange(lastDays(days));
  }

  return { range, setRange, period, presetDays, choosePreset };
}
