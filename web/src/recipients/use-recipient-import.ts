import { computed, reactive, ref, shallowRef } from 'vue';
import { useApolloClient } from '@vue/apollo-composable';
import { MAX_IMPORT_ROWS } from '@mailing/server/rules';
import { ImportRecipientsDocument } from '@/graphql/generated';
import { apiProblem } from '@/graphql/errors';
import { forgetRecipientLists } from './recipient-lists';
import type { ImportSource } from './import-rows';

/** One row of the file to import: its number as a spreadsheet shows it, and its values. */
export interface ImportRow {
  rowNumber: number;
  email: string;
  fullName: string;
  comment: string;
  /** The row as it was in the file, for the download of skipped rows. */
  cells: string[];
}

export interface SkippedRow {
  rowNumber: number;
  email: string;
  field: string;
  reason: string;
  cells: string[];
}

export type ImportState = 'idle' | 'running' | 'cancelling' | 'cancelled' | 'stopped' | 'done';

/**
 * The server names an earlier duplicate by its place in the call ("Duplicate of row 3");
 * the report names rows of the file, so that number is translated.
 */
function reasonInFile(reason: string, batch: readonly ImportRow[]): string {
  return reason.replace(/^Duplicate of row (\d+)$/, (text, index: string) => {
    const earlier = batch[Number(index)];
    return earlier ? `Same email as row ${earlier.rowNumber}` : text;
  });
}

/** Emails are told apart as the server tells them apart: trimmed and lower-cased. */
const emailKey = (email: string) => email.trim().toLowerCase();

/**
 * The field of a row that holds a NUL, which PostgreSQL cannot store. The server refuses a
 * whole call for one such string, so the row is skipped here and the rest of its call goes in.
 */
function fieldWithNul(row: ImportRow): 'email' | 'fullName' | 'comment' | undefined {
  return (['email', 'fullName', 'comment'] as const).find((field) => row[field].includes('\u0000'));
}

function skip({ rowNumber, email, cells }: ImportRow, field: string, reason: string): SkippedRow {
  return { rowNumber, email, cells, field, reason };
}

/**
 * Sends rows to `importRecipients` in calls of up to 1,000, one after the other, keeping
 * count of what the server did with each row. Cancel stops after the call in flight (its
 * rows are in the report); a failed call stops the import, and `resume` carries on from it.
 *
 * An email repeated in the file is skipped wherever the repeat is, as the server skips a repeat
 * within one call: the first row with an email wins. (Sent in a later call, the repeat would
 * otherwise update the recipient the first row wrote, and show as "updated".)
 */
export function useRecipientImport() {
  const { resolveClient } = useApolloClient();
  const state = ref<ImportState>('idle');
  const source = shallowRef<ImportSource>({ total: 0, rows: () => [] });
  const done = ref(0);
  const totals = reactive({ imported: 0, updated: 0, skipped: 0 });
  // Kept per call and joined only when read (the report): a large file with many bad rows
  // would otherwise copy the whole list again after every call.
  const skippedPerCall = shallowRef<SkippedRow[][]>([]);
  const skippedRows = computed(() => skippedPerCall.value.flat());
  /** The row each email was first written from, by emailKey. */
  const writtenFrom = new Map<string, number>();
  const problem = ref<string | null>(null);
  const startedAt = ref(0);
  const finishedAt = ref(0);

  const total = computed(() => source.value.total);
  const running = computed(() => state.value === 'running' || state.value === 'cancelling');

  async function sendFrom(start: number): Promise<void> {
    const client = resolveClient();
    state.value = 'running';
    problem.value = null;
    for (let offset = start; offset < total.value; offset += MAX_IMPORT_ROWS) {
      if (state.value !== 'running') break;
      const rows = source.value.rows(offset, MAX_IMPORT_ROWS);
      const batch: ImportRow[] = [];
      const skipped: SkippedRow[] = [];
      for (const row of rows) {
        const firstRow = writtenFrom.get(emailKey(row.email));
        const badField = fieldWithNul(row);
        if (badField) skipped.push(skip(row, badField, 'Contains a character that cannot be stored (NUL).'));
        else if (firstRow !== undefined) skipped.push(skip(row, 'email', `Same email as row ${firstRow}`));
        else batch.push(row);
      }
      try {
        if (batch.length) {
          const { data } = await client.mutate({
            mutation: ImportRecipientsDocument,
            variables: { rows: batch.map(({ email, fullName, comment }) => ({ email, fullName, comment })) },
            // Thousands of per-row answers have no place in the cache.
            fetchPolicy: 'no-cache',
          });
          if (!data) throw new Error('importRecipients answered nothing');
          const result = data.importRecipients;
          totals.imported += result.imported;
          totals.updated += result.updated;
          for (const { index, outcome, field, reason } of result.rows) {
            const row = batch[index];
            if (outcome === 'SKIPPED') skipped.push(skip(row, field ?? '', reasonInFile(reason ?? 'Skipped', batch)));
            else writtenFrom.set(emailKey(row.email), row.rowNumber);
          }
        }
      } catch (error) {
        problem.value = apiProblem(error).message;
        state.value = 'stopped';
        break;
      }
      totals.skipped += skipped.length;
      if (skipped.length) skippedPerCall.value = [...skippedPerCall.value, skipped.sort((a, b) => a.rowNumber - b.rowNumber)];
      done.value = offset + rows.length;
    }
    if (state.value !== 'stopped') state.value = done.value < total.value ? 'cancelled' : 'done';
    finishedAt.value = performance.now();
    if (done.value > 0) forgetRecipientLists(client.cache);
  }

  /** Back to the start, for another file. */
  function reset(): void {
    state.value = 'idle';
    source.value = { total: 0, rows: () => [] };
    done.value = 0;
    Object.assign(totals, { imported: 0, updated: 0, skipped: 0 });
    skippedPerCall.value = [];
    writtenFrom.clear();
    problem.value = null;
  }

  /** Imports every row of `rows` from the start. */
  function start(rows: ImportSource): Promise<void> {
    reset();
    source.value = rows;
    startedAt.value = performance.now();
    finishedAt.value = 0;
    return sendFrom(0);
  }

  /** After a failed call: tries that call again and goes on. */
  function resume(): Promise<void> {
    return sendFrom(done.value);
  }

  function cancel(): void {
    if (state.value === 'running') state.value = 'cancelling';
  }

  /** Seconds from the start to the last answer. */
  const seconds = computed(() => Math.max(0, (finishedAt.value || startedAt.value) - startedAt.value) / 1000);

  return { state, running, done, total, totals, skippedRows, problem, seconds, start, resume, cancel, reset };
}
