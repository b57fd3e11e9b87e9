import Papa from 'papaparse';
import { apolloClient } from '@/graphql/client';
import { MailingReportsDocument, type MailingReportsQuery, type MailingReportsQueryVariables } from '@/graphql/generated';

type MailingReport = MailingReportsQuery['mailingReports']['items'][number];
export type ReportFilters = Omit<MailingReportsQueryVariables, 'offset' | 'limit'>;

/** The largest page the API gives (PageArgs' limit): the export asks for as few pages as it can. */
const EXPORT_PAGE_SIZE = 200;

const COLUMNS = [
  'mailing_id',
  'subject',
  'owner_email',
  'mailing_status',
  'attempt_id',
  'attempt_started_at',
  'attempt_finished_at',
  'attempt_status',
  'total',
  'sent',
  'failed',
  'uncertain',
  'server_response',
] as const;

/** Every mailing report that matches the filters, page after page; `onProgress` hears how far it got. */
export async function fetchAllReports(
  filters: ReportFilters,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<MailingReport[]> {
  // Keyed by mailing: a run that starts during the export moves its mailing up a page.
  const reports = new Map<string, MailingReport>();
  let total = Infinity;
  for (let offset = 0; offset < total; offset += EXPORT_PAGE_SIZE) {
    const { data } = await apolloClient.query({
      query: MailingReportsDocument,
      variables: { ...filters, offset, limit: EXPORT_PAGE_SIZE },
      fetchPolicy: 'network-only',
    });
    total = data.mailingReports.total;
    for (const report of data.mailingReports.items) reports.set(report.mailing.id, report);
    onProgress(Math.min(offset + EXPORT_PAGE_SIZE, total), total);
  }
  return [...reports.values()];
}

/** One CSV line per attempt (run), with its mailing's columns repeated; times in ISO 8601 UTC. */
export function reportsToCsv(reports: readonly MailingReport[]): string {
  const data = reports.flatMap((report) =>
    report.attempts.map((attempt) => [
      report.mailing.id,
      report.subject,
      report.ownerEmail,
      report.mailing.disabled ? 'DISABLED' : report.mailing.status,
      attempt.id,
      attempt.attemptedAt,
      attempt.finishedAt ?? '',
      attempt.status,
      attempt.total,
      attempt.sentCount,
      attempt.failedCount,
      attempt.uncertainCount,
      attempt.serverResponse ?? '',
    ]),
  );
  // A byte order mark, so spreadsheet programs read the file as UTF-8.
  return `\uFEFF${Papa.unparse({ fields: [...COLUMNS], data }, { escapeFormulae: true })}`;
}

/** "mailing-report_2026-05-01_2026-05-30.csv": the period in the file name, as days in the browser's zone. */
export function reportFileName(from: Date, to: Date): string {
  const day = (date: Date) =>
    `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return `mailing-report_${day(from)}_${day(to)}.csv`;
}
