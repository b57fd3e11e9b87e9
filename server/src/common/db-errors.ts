import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { AppError, badInput, conflict } from './errors';

/**
 * Runs a write and turns a database constraint violation into a client error,
 * using `messages` keyed by constraint name (the database is the last line of defence).
 */
export async function withConstraintErrors<T>(
  write: () => Promise<T>,
  messages: Record<string, { field?: string; message: string }>,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    const constraint = (e as { constraint?: string }).constraint;
    const known = constraint ? messages[constraint] : undefined;
    if (e instanceof UniqueConstraintViolationException || e instanceof ForeignKeyConstraintViolationException) {
      throw conflict(known?.message ?? 'This conflicts with existing data.', known?.field);
    }
    if (e instanceof CheckConstraintViolationException) {
      throw known?.field ? badInput(known.field, known.message) : new AppError('BAD_USER_INPUT', known?.message ?? 'Invalid value.');
    }
    throw e;
  }
}
