/** What mailings ask of the sending engine (sending/scheduler.ts is the one that does it). */
export interface MailingPlanner {
  /** Plans (or re-plans) a mailing's sending after it was created, edited or enabled. */
  mailingSaved(mailingId: string): Promise<void>;
  /** Cancels a mailing's planned sending after it was deleted or disabled. */
  mailingRemoved(mailingId: string): Promise<void>;
}
