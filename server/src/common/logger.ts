import pino from 'pino';
import { DriverException } from '@mikro-orm/core';

export type Logger = pino.Logger;

/** Keys whose values never reach a log: credentials, mail contents, SQL and its parameters, request variables. */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'currentPassword',
  'newPassword',
  'token',
  'tokenHash',
  'body',
  'html',
  'sql',
  'params',
  'parameters',
  'bindings',
  'variables',
  'detail',
  'where',
  'internalQuery',
];

/**
 * A database error without its SQL: the driver writes the statement into the message with
 * its values inlined, and PostgreSQL's detail and context can quote values too. What is
 * kept: the kind of error, the SQLSTATE, the table/constraint/column and the stack frames.
 */
function withoutSql(error: Error & { code?: unknown }): Error {
  const { table, constraint, column, routine } = error as Error & Record<string, string | undefined>;
  const safe = new Error(`SQLSTATE ${String(error.code ?? 'unknown')}${routine ? ` (${routine})` : ''}`);
  safe.name = error.name;
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));
  safe.stack = [`${safe.name}: ${safe.message}`, ...frames].join('\n');
  return Object.assign(safe, { table, constraint, column });
}

/** The ORM's exceptions and the driver's own (pg's DatabaseError carries PostgreSQL's severity and routine). */
function isDatabaseError(err: unknown): err is Error {
  return err instanceof DriverException || (err instanceof Error && 'severity' in err && 'routine' in err);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    serializers: { err: (err: unknown) => pino.stdSerializers.err(isDatabaseError(err) ? withoutSql(err) : (err as Error)) },
    redact: { paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`]), censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
