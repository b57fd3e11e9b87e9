import { isBlankRow } from './csv-file';
import type { ColumnMapping } from './column-guess';
import type { ImportRow } from './use-recipient-import';

/** The rows of a file to import, built a batch at a time so no single step holds the page up. */
export interface ImportSource {
  total: number;
  rows: (offset: number, count: number) => ImportRow[];
}

/**
 * The rows to send from the file's records: without the header and blank lines, each
 * numbered as a spreadsheet numbers it (the first record is row 1), values trimmed.
 */
export function importSource(records: readonly string[][], hasHeader: boolean, mapping: ColumnMapping): ImportSource {
  const dataRows: number[] = [];
  records.forEach((cells, index) => {
    if (!(hasHeader && index === 0) && !isBlankRow(cells)) dataRows.push(index);
  });
  const cell = (cells: readonly string[], column: number | null) => (column === null ? '' : (cells[column] ?? '').trim());
  return {
    total: dataRows.length,
    rows: (offset, count) =>
      dataRows.slice(offset, offset + count).map((index) => {
        const cells = records[index];
        return {
          rowNumber: index + 1,
          email: cell(cells, mapping.email),
          fullName: cell(cells, mapping.fullName),
          comment: cell(cells, mapping.comment),
          cells,
        };
      }),
  };
}
