/** What the rest of the app asks of the sending engine. */
export interface MailingScheduler {
  /** Plans (or re-plans) a mailing's jobs after it was created, edited or enabled; starts it at once inside its window. */
  mailingSaved(mailingId: string): Promise<void>;
  /** Cancels a mailing's jobs after it was deleted or disabled. */
  mailingRemoved(mailingId: string): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}
