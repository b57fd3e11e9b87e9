import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1');
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const count = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const DKIM_SELECTOR = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The server itself serves the built web app on its default port. */
const DEFAULT_APP_URL = 'http://localhost:4000';

/** Outside production an unset UNSUBSCRIBE_SECRET is this public one: links survive restarts, but anyone could forge them. */
const DEVELOPMENT_UNSUBSCRIBE_SECRET = 'development only: anyone can forge links signed with this';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Unset: WEB_DEV_URL when the app runs under `yarn dev`, else DEFAULT_APP_URL (see loadConfig). */
  APP_URL: optionalUrl,
  /** Set by `yarn dev`: where the Vite dev server serves the web app. */
  WEB_DEV_URL: optionalUrl,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: optionalUrl,
  EMBEDDED_PG_DIR: z.string().default('.data/postgres'),
  EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(54329),
  MONGODB_URL: optionalUrl,
  REDIS_URL: optionalUrl,

  SMTP_URL: optionalUrl,
  MAIL_FROM: z.string().min(3).default('Mailing service <no-reply@localhost>'),
  /** Domains, besides MAIL_FROM's, that a message may send from (its own From address); none by default. */
  MAIL_FROM_DOMAINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((domain) => domain.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(HOSTNAME, 'must be a comma-separated list of domain names such as news.example.com'))),
  LOCAL_SMTP_PORT: z.coerce.number().int().min(0).default(1025),
  SMTP_CONNECTION_TIMEOUT_MS: ms(5000),
  SMTP_GREETING_TIMEOUT_MS: ms(5000),
  SMTP_SOCKET_TIMEOUT_MS: ms(15000),
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** DKIM signing of every message: all of domain, selector and key (inline PEM or a file), or none. */
  DKIM_DOMAIN: z.string().regex(HOSTNAME, 'must be a domain name such as example.com').optional(),
  DKIM_SELECTOR: z.string().regex(DKIM_SELECTOR, 'must be a DNS label such as mail2026').optional(),
  DKIM_PRIVATE_KEY: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),

  SEND_RATE_PER_SECOND: z.coerce.number().positive().default(50),
  SEND_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(200),
  /** Deliveries an attempt prepares per transaction (the first chunk inside the request that opens it). */
  PREPARE_CHUNK_SIZE: z.coerce.number().int().min(1).max(100000).default(2000),
  SEND_MAX_RETRIES: z.coerce.number().int().min(0).max(50).default(5),
  SEND_RETRY_BASE_MS: ms(2000),
  SEND_RETRY_MAX_MS: ms(10 * 60 * 1000),
  SEND_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  SEND_BREAKER_HALF_OPEN_MS: ms(10000),
  SEND_HOLD_CHECK_MS: ms(100),
  SEND_STOP_WAIT_MS: ms(5000),
  JOB_LOCK_LIFETIME_MS: ms(60000),
  JOB_PROCESS_EVERY_MS: ms(500),
  /** Jobs of each kind (starts, attempts, ends) one worker process runs at once; the sends of all its attempts share SMTP_POOL_SIZE x 2 in flight. */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(200),
  /** all: API and sending workers (yarn dev, yarn start); api: the API only; worker: sending only (and /healthz). */
  SERVER_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  /**
   * SERVER_ROLE=all: the API thread's nice value (0-19; the sending thread keeps the process's).
   * Higher yields the CPU to the sending thread, PostgreSQL and the rest while the API is saturated (bench/README.md, mixed load).
   */
  API_THREAD_NICE: z.coerce.number().int().min(0).max(19).default(0),
  SHUTDOWN_TIMEOUT_MS: ms(10000),

  // Guessing: attempts per account (email) and per client address in each window, shared by every process.
  AUTH_LIMIT_WINDOW_MINUTES: z.coerce.number().int().positive().default(15),
  LOGIN_ATTEMPTS_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().positive().default(100),
  ACCOUNT_MAILS_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  ACCOUNT_MAILS_PER_ADDRESS: z.coerce.number().int().positive().default(30),
  /** Express's 'trust proxy': unset, the client address is the peer's; else true, a hop count, or the proxies' addresses and subnets. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === 'false' ? false : v === 'true' ? true : /^\d+$/.test(v) ? Number(v) : v)),

  SESSION_TTL_DAYS: z.coerce.number().int().positive().default(30),
  COOKIE_SECURE: bool.optional(),
  VERIFY_TOKEN_TTL_HOURS: z.coerce.number().int().positive().default(48),
  RESET_TOKEN_TTL_MINUTES: z.coerce.number().int().positive().default(60),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(60),

  /** Signs the unsubscribe links of mailings (HMAC-SHA256); required in production (see loadConfig). */
  UNSUBSCRIBE_SECRET: z.string().min(32, 'At least 32 characters (e.g. `openssl rand -hex 32`).').optional(),
  /** Also offered in List-Unsubscribe as a mailto: (the service does not read that mailbox). */
  UNSUBSCRIBE_MAILTO: z.preprocess((v) => (v === '' ? undefined : v), z.string().email().optional()),
  /** Unsubscribe page requests (GET and POST) from one client address per minute. */
  UNSUBSCRIBE_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(60),

  // What one GraphQL request may ask for (graphql-armor); the web app's own queries stay far below.
  QUERY_MAX_DEPTH: count(10),
  QUERY_MAX_ALIASES: count(15, 0),
  QUERY_MAX_TOKENS: count(1000),
  QUERY_MAX_DIRECTIVES: count(50, 0),
  QUERY_MAX_COST: count(5000),
})
  // Links in mails open the web app where it really runs: an explicit APP_URL, else the dev server's.
  .transform(({ APP_URL, ...rest }, ctx) => ({
    ...rest,
    APP_URL: APP_URL ?? rest.WEB_DEV_URL ?? DEFAULT_APP_URL,
    SENDER: senderSettings(rest.MAIL_FROM, rest.MAIL_FROM_DOMAINS, ctx),
    DKIM: dkimSettings(rest, ctx),
  }));

/** Who mail is from unless a message says otherwise, and the domains a message may send from. */
export interface SenderSettings {
  /** MAIL_FROM's name, for messages whose owner has no name ('' when it has none). */
  name: string;
  /** MAIL_FROM's address: every message's From address unless it has its own in `allowedDomains`. */
  address: string;
  /** Lower-case domains a message's own From address may be in: MAIL_FROM_DOMAINS. */
  allowedDomains: string[];
}

function senderSettings(mailFrom: string, allowedDomains: string[], ctx: z.RefinementCtx): SenderSettings {
  const [parsed] = addressparser(mailFrom, { flatten: true });
  if (!parsed?.address || !/^[^@\s]+@[^@\s]+$/.test(parsed.address)) {
    ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'must be an address, optionally with a name: Name <address@example.com>' });
  }
  return { name: parsed?.name ?? '', address: parsed?.address ?? '', allowedDomains };
}

/** What nodemailer signs with (its `dkim` option). */
export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

type DkimVariables = Partial<Record<'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY' | 'DKIM_PRIVATE_KEY_FILE', string>>;

/**
 * All DKIM settings or none; the key is read (from DKIM_PRIVATE_KEY_FILE when given) and checked
 * here, so a server with a bad key does not start rather than send unsigned or unverifiable mail.
 */
function dkimSettings(env: DkimVariables, ctx: z.RefinementCtx): DkimSettings | undefined {
  const problem = (path: keyof DkimVariables, message: string) => {
    ctx.addIssue({ code: 'custom', path: [path], message });
    return undefined;
  };
  const { DKIM_DOMAIN: domainName, DKIM_SELECTOR: keySelector, DKIM_PRIVATE_KEY: inline, DKIM_PRIVATE_KEY_FILE: file } = env;
  if (inline && file) return problem('DKIM_PRIVATE_KEY_FILE', 'set DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE, not both');
  const given = { DKIM_DOMAIN: domainName, DKIM_SELECTOR: keySelector, DKIM_PRIVATE_KEY: inline ?? file };
  const missing = Object.entries(given).filter(([, value]) => !value);
  if (missing.length === 3) return undefined;
  if (missing.length) {
    const names = missing.map(([name]) => (name === 'DKIM_PRIVATE_KEY' ? 'DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE)' : name));
    return problem(missing[0]![0] as keyof DkimVariables, `DKIM signing needs DKIM_DOMAIN, DKIM_SELECTOR and a key: ${names.join(' and ')} missing`);
  }
  const keyVariable = file ? 'DKIM_PRIVATE_KEY_FILE' : 'DKIM_PRIVATE_KEY';
  let privateKey: string;
  try {
    // An inline key may come on one line with \n for its line breaks (env files, container settings).
    privateKey = file ? readFileSync(file, 'utf8') : inline!.replace(/\\n/g, '\n');
  } catch (error) {
    return problem(keyVariable, `cannot read the DKIM key file: ${(error as Error).message}`);
  }
  const refusal = rsaKeyRefusal(privateKey);
  return refusal ? problem(keyVariable, refusal) : { domainName: domainName!, keySelector: keySelector!, privateKey };
}

/** Why a PEM text is no usable DKIM signing key (nodemailer signs rsa-sha256), or null. */
function rsaKeyRefusal(pem: string): string | null {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') return `the DKIM key is ${key.asymmetricKeyType ?? 'unknown'}; an RSA private key is needed`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 1024) return `the DKIM key has ${bits} bits; receivers need at least 1024 (use 2048)`;
    return null;
  } catch {
    return 'not an unencrypted PEM private key (make one with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048)';
  }
}

export type Config = z.infer<typeof schema> & { UNSUBSCRIBE_SECRET: string };

const listed = (names: readonly string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

export class ConfigError extends Error {}

/** Without these, development starts stand-ins (embedded PostgreSQL, a mail catcher that only logs, a public unsubscribe secret); production must not. */
const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', 'SMTP_URL', 'UNSUBSCRIBE_SECRET'] as const;

/**
 * Parses the environment once; names every bad variable in the error.
 * An empty value (`KEY=` as in .env.sample) counts as unset, so the default applies.
 * Production refuses to start without a real database and SMTP server (one line naming them).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env.SCHEDULER_ENABLED) {
    throw new ConfigError('SCHEDULER_ENABLED was replaced by SERVER_ROLE: all (the default), api (no sending: was SCHEDULER_ENABLED=false) or worker.');
  }
  const result = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const missing = REQUIRED_IN_PRODUCTION.filter((key) => !result.data[key]);
  if (result.data.NODE_ENV === 'production' && missing.length) {
    throw new ConfigError(
      `NODE_ENV=production needs ${listed(missing)}: the embedded PostgreSQL, the local mail catcher and the public unsubscribe secret are for development only.`,
    );
  }
  return { ...result.data, UNSUBSCRIBE_SECRET: result.data.UNSUBSCRIBE_SECRET ?? DEVELOPMENT_UNSUBSCRIBE_SECRET };
}
