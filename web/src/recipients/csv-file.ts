import Papa from 'papaparse';

/** The encodings a CSV file is usually saved in: spreadsheets in Russian often use Windows-1251. */
export const CSV_ENCODINGS = [
  { label: 'UTF-8', value: 'utf-8' },
  { label: 'Windows-1251 (Cyrillic)', value: 'windows-1251' },
  { label: 'Windows-1252 (Western)', value: 'windows-1252' },
] as const;

/** Bytes read and parsed per step: each step's rows reach the page as one small message. */
const CHUNK_BYTES = 512 * 1024;

/** The first `count` records of a file, parsed in a web worker. */
export function previewCsv(file: File, encoding: string, count: number): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    Papa.parse<string[]>(file, {
      worker: true,
      encoding,
      preview: count,
      complete: (results) => resolve(results.data),
      error: reject,
    });
  });
}

export interface CsvReading {
  /** Every record of the file in order, empty lines included, so an index is a row number. */
  rows: Promise<string[][]>;
  /** Stops reading; `rows` then rejects with an AbortError. */
  abort: () => void;
}

/**
 * Reads a whole file in a web worker (papaparse `worker: true`): the page only receives
 * rows, a chunk of about half a megabyte at a time, so even 100,000 rows never hold it up.
 * `onProgress` gets the share of the file read so far (0–1).
 */
export function readCsv(file: File, encoding: string, onProgress: (share: number) => void): CsvReading {
  let abortParse: (() => void) | undefined;
  let aborted = false;
  const rows = new Promise<string[][]>((resolve, reject) => {
    const all: string[][] = [];
    Papa.parse<string[]>(file, {
      worker: true,
      encoding,
      chunkSize: CHUNK_BYTES,
      chunk: (results, parser) => {
        abortParse = () => parser.abort();
        for (const row of results.data) all.push(row);
        onProgress(Math.min(1, results.meta.cursor / Math.max(1, file.size)));
      },
      complete: () => (aborted ? reject(new DOMException('Reading stopped', 'AbortError')) : resolve(all)),
      error: reject,
    });
  });
  return {
    rows,
    abort: () => {
      aborted = true;
      abortParse?.();
    },
  };
}

/** A record with nothing in it: an empty line, or only separators and spaces. */
export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}
