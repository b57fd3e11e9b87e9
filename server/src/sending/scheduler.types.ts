import type { AttemptStop } from './attempt-driver';

/** What the rest of the app asks of the sending engine. */
export interface MailingScheduler {
  /** Plans (or re-plans) a mailing's jobs after it was created, edited or enabled; starts it at once inside its window. */
  mailingSaved(mailingId: string): Promise<void>;
  /** Cancels a mailing's jobs after it was deleted or disabled (a disabled one still becomes FINISHED at its end). */
  mailingRemoved(mailingId: string): Promise<void>;
  /** Hands an opened attempt to the workers, at once or not before `notBefore`. */
  queueAttempt(attemptId: string, notBefore?: Date): Promise<void>;
  /** Sends an opened attempt to its end in this process (the CLI); `signal` stops it early. */
  sendInProcess(attemptId: string, signal?: AbortSignal): Promise<AttemptStop>;
  start(): Promise<void>;
  close(): Promise<void>;
}
