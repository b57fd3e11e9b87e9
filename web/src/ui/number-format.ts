const countFormat = new Intl.NumberFormat();

/** "12,345": a count in the browser's locale. */
export function formatCount(value: number): string {
  return countFormat.format(value);
}
