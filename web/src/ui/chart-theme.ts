import type { ChartOptions, ChartType } from 'chart.js';
import { statusLook, TONE_TOKEN } from './status';

/**
 * Charts draw on a canvas and cannot take CSS classes, so they are handed the theme's
 * colours as values: the same palette entry per state as the status tags (see status.ts).
 */
function themeValue(token: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(token).trim() || fallback;
}

/** The colour a status is painted in on charts, e.g. SENT → the theme's green. */
export function statusColor(status: string): string {
  return themeValue(TONE_TOKEN[statusLook(status).tone], 'grey');
}

/**
 * Options every chart of counts starts from: the theme's text and grid colours, a legend
 * at the top, whole-number ticks, and (for bar charts) stacked axes when asked. Figures are
 * drawn at once, without animation: a chart redrawn by new data (a new period, the next
 * page) shows the new numbers rather than bars sliding about.
 */
export function baseChartOptions<Type extends ChartType>({ stacked = false, horizontal = false } = {}): ChartOptions<Type> {
  const text = themeValue('--p-text-muted-color', '#64748b');
  const grid = themeValue('--p-content-border-color', '#e2e8f0');
  const axis = { stacked, ticks: { color: text, precision: 0 }, grid: { color: grid } };
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    indexAxis: horizontal ? 'y' : 'x',
    interaction: { mode: 'index', intersect: false },
    plugins: { legend: { position: 'top', labels: { color: text } } },
    scales: { x: { ...axis, beginAtZero: true }, y: { ...axis, beginAtZero: true } },
  } as ChartOptions<Type>;
}
