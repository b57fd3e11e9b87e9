import type { DeliveryResult, DeliveryStore } from './delivery-store';
import { wait } from './wait';

const WRITE_BATCH = 1000;
const WRITE_TRIES = 5;
const WRITE_RETRY_MS = 500;
/** Under load, results gather this long between writes (a statement per message costs more than its send). */
const MIN_WRITE_INTERVAL_MS = 5;

/**
 * Records results as soon as they come, many per statement: a result is written at once
 * when the writer is idle, else with the others that came within a few milliseconds.
 * A result not yet written is what a crash can make go out twice, so the window stays
 * about as small as the sends in flight.
 */
export class ResultWriter {
  private pending: DeliveryResult[] = [];
  private writing: Promise<void> | null = null;
  private failure: unknown = null;
  private lastWriteAt = 0;

  constructor(
    private readonly store: DeliveryStore,
    private readonly onWritten: (ids: string[]) => void,
  ) {}

  add(...results: DeliveryResult[]): void {
    this.pending.push(...results);
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
    });
  }

  /** Resolves once everything added so far is written; throws when the database kept refusing. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      await wait(this.lastWriteAt + MIN_WRITE_INTERVAL_MS - Date.now());
      this.lastWriteAt = Date.now();
      const batch = this.pending.splice(0, WRITE_BATCH);
      try {
        await this.writeWithRetries(batch);
        this.onWritten(batch.map((r) => r.id));
      } catch (error) {
        this.failure = error;
      }
    }
  }

  private async writeWithRetries(batch: DeliveryResult[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.record(batch);
        return;
      } catch (error) {
        if (attempt >= WRITE_TRIES) throw error;
        await wait(WRITE_RETRY_MS * attempt);
      }
    }
  }
}
