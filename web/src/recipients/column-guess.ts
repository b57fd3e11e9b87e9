/** The recipient fields a CSV column can fill; `email` is required. */
export type RecipientColumn = 'email' | 'fullName' | 'comment';

export const FIELDS: readonly RecipientColumn[] = ['email', 'fullName', 'comment'];

export type ColumnMapping = Record<RecipientColumn, number | null>;

/** Header names people use for each field, compared without case, spaces, dashes or underscores. */
const HEADER_NAMES: Record<RecipientColumn, string[]> = {
  email: ['email', 'emailaddress', 'mail', 'почта', 'электроннаяпочта', 'емейл', 'имейл', 'адрес'],
  fullName: ['fullname', 'name', 'fio', 'contact', 'contactname', 'displayname', 'имя', 'фио', 'полноеимя', 'имяфамилия'],
  comment: ['comment', 'comments', 'note', 'notes', 'remark', 'description', 'комментарий', 'примечание', 'заметка', 'заметки'],
};

/** Parts of longer header names ("Customer e-mail", "Contact name") that give the field away. */
const HEADER_PARTS: Record<RecipientColumn, string[]> = {
  email: ['email', 'mail', 'почт'],
  fullName: ['name', 'имя', 'фио'],
  comment: ['comment', 'note', 'коммент', 'примеч'],
};

const normalize = (header: string) => header.toLowerCase().replace(/[\s_\-.]+/g, '');

const looksLikeEmail = (value: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value.trim());

/** A first row with an email address in it is data, not column names. */
export function looksLikeHeader(firstRow: readonly string[]): boolean {
  return firstRow.length > 0 && !firstRow.some(looksLikeEmail);
}

/**
 * Which column holds which field: by the header's name when there is a header, and for
 * the email also by the first data rows (the column whose values look like addresses).
 */
export function guessColumns(header: readonly string[] | null, sample: readonly (readonly string[])[]): ColumnMapping {
  const mapping: ColumnMapping = { email: null, fullName: null, comment: null };
  if (header) {
    const names = header.map(normalize);
    const taken = (column: number) => Object.values(mapping).includes(column);
    const pick = (field: RecipientColumn, matches: (name: string) => boolean) => {
      if (mapping[field] !== null) return;
      const column = names.findIndex((name, index) => matches(name) && !taken(index));
      if (column >= 0) mapping[field] = column;
    };
    for (const field of FIELDS) pick(field, (name) => HEADER_NAMES[field].includes(name));
    for (const field of FIELDS) pick(field, (name) => HEADER_PARTS[field].some((part) => name.includes(part)));
  }
  if (mapping.email === null) {
    const width = Math.max(0, ...sample.map((row) => row.length));
    for (let column = 0; column < width && mapping.email === null; column++) {
      if (sample.some((row) => looksLikeEmail(row[column] ?? ''))) mapping.email = column;
    }
  }
  return mapping;
}

/** What to call each column: its header, or "Column 3" without one. */
export function columnNamesOf(records: readonly (readonly string[])[], hasHeader: boolean): string[] {
  const width = Math.max(0, ...records.map((row) => row.length));
  return Array.from({ length: width }, (_, column) => (hasHeader && records[0]?.[column]?.trim()) || `Column ${column + 1}`);
}
