import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { fixtureSchema } from '../src/cli/fixture-schema';
import { fixtureId, loadFixture } from '../src/cli/fixture-loader';
import { initOrm } from '../src/db/orm';
import { entities } from '../src/features';
import { createTestDatabase } from './db';
import { startTestSmtp, type TestSmtp } from './test-smtp';

const serverDir = path.resolve(__dirname, '..');
const scripts = JSON.parse(fs.readFileSync(path.join(serverDir, 'package.json'), 'utf8')).scripts as Record<string, string>;
const demo = JSON.parse(fs.readFileSync(path.resolve(serverDir, '../fixtures/demo.json'), 'utf8')) as {
  users: Array<{ email: string; password: string; role: string; recipients?: unknown[]; messages?: unknown[]; mailings?: Array<{ recipients: unknown[]; attempts?: Array<{ deliveries: unknown[] }> }> }>;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let db: { url: string; drop(): Promise<void> };
let pg: Client;

/** Runs a package.json script exactly as `yarn <script>` would, against the test database. */
function run(script: string, ...args: string[]): Promise<Run> {
  return runWith({}, script, ...args);
}

function runWith(env: Record<string, string>, script: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${scripts[script]} "$@"`, script, ...args], {
      cwd: serverDir,
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const TABLES = ['users', 'recipients', 'messages', 'mailings', 'mailing_recipients', 'attempts', 'deliveries'] as const;

async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    result[table] = Number((await pg.query(`select count(*) from ${table}`)).rows[0].count);
  }
  return result;
}

const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((n, item) => n + pick(item), 0);
const mailings = demo.users.flatMap((u) => u.mailings ?? []);
const demoCounts = {
  users: demo.users.length,
  recipients: sum(demo.users, (u) => u.recipients?.length ?? 0),
  messages: sum(demo.users, (u) => u.messages?.length ?? 0),
  mailings: mailings.length,
  mailing_recipients: sum(mailings, (m) => m.recipients.length),
  attempts: sum(mailings, (m) => m.attempts?.length ?? 0),
  deliveries: sum(mailings, (m) => sum(m.attempts ?? [], (a) => a.deliveries.length)),
};

// Every test has a database of its own, so none builds on another's rows.
beforeEach(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});
afterEach(async () => {
  await pg?.end();
  await db?.drop();
});

/** The app's tables, empty. */
async function migrate(): Promise<void> {
  const orm = await initOrm(db.url, entities);
  await orm.close(true);
}

async function seeded(): Promise<void> {
  const seed = await run('seed');
  expect(seed.code).toBe(0);
}

describe('yarn seed', () => {
  it('loads the demo fixture and prints the demo logins', async () => {
    const seeded = await run('seed');
    expect(seeded.stderr).not.toMatch(/error/i);
    expect(seeded.code).toBe(0);
    for (const user of demo.users) expect(seeded.stdout).toMatch(new RegExp(`${user.role}\\s+${user.email}\\s+${user.password}`));
    expect(await counts()).toEqual(demoCounts);
  });

  it('gives the demo what it needs: a finished mailing with its report, a running one, a future one, per user', async () => {
    await seeded();
    const { rows } = await pg.query<{ email: string; finished: number; running: number; future: number; deliveries: number }>(`
      select u.email,
             count(distinct m.id) filter (where m.status = 'FINISHED')::int as finished,
             count(distinct m.id) filter (where m.status = 'RUNNING')::int as running,
             count(distinct m.id) filter (where m.status = 'CREATED' and m.start_at > now())::int as future,
             count(d.id) filter (where m.status = 'FINISHED')::int as deliveries
        from users u join mailings m on m.owner_id = u.id
        left join attempts a on a.mailing_id = m.id left join deliveries d on d.attempt_id = a.id
       where u.role = 'USER' group by u.email`);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.finished).toBeGreaterThanOrEqual(1);
      expect(row.running).toBeGreaterThanOrEqual(1);
      expect(row.future).toBeGreaterThanOrEqual(1);
      expect(row.deliveries).toBeGreaterThan(0);
    }
    // Planned like a mailing saved in the app, so a running server starts the future ones on time.
    if (!process.env.MONGODB_URL) {
      const { rows: unplanned } = await pg.query(`
        select m.id from mailings m
         where m.status = 'CREATED' and m.start_at > now()
           and not exists (select 1 from agenda_jobs j where j.name = 'mailing.start' and j.data->>'mailingId' = m.id::text)`);
      expect(unplanned).toEqual([]);
    }
    const roles = (await pg.query('select role, count(*)::int as n from users group by role order by role')).rows;
    expect(roles).toEqual([
      { role: 'USER', n: 2 },
      { role: 'MANAGER', n: 1 },
      { role: 'ADMIN', n: 1 },
    ]);
  });

  it('adds nothing when run again: same rows, same ids', async () => {
    await seeded();
    const ids = async () => (await pg.query('select id from mailings union all select id from attempts order by id')).rows;
    const before = await ids();
    const again = await run('seed');
    expect(again.code).toBe(0);
    expect(await counts()).toEqual(demoCounts);
    expect(await ids()).toEqual(before);
  });

  it('starts clean with --reset', async () => {
    await seeded();
    const [owner] = (await pg.query(`select id from users where role = 'USER' limit 1`)).rows;
    await pg.query(`insert into recipients (id, email, owner_id) values (gen_random_uuid(), 'extra@example.com', $1)`, [owner.id]);
    await pg.query(`insert into users (id, email, password_hash) values (gen_random_uuid(), 'extra-user@example.com', 'x')`);
    expect((await counts()).recipients).toBe(demoCounts.recipients + 1);

    const reset = await run('seed', '--reset');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Deleted all data.');
    expect(await counts()).toEqual(demoCounts);
    expect((await pg.query(`select 1 from users where email = 'extra-user@example.com'`)).rowCount).toBe(0);
  });

  it('refuses an invalid fixture with the reason and changes nothing', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-')), 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        users: [
          {
            email: 'late@example.com',
            password: 'late-password',
            messages: [{ subject: 'Hi', body: 'b' }],
            mailings: [{ key: 'late', message: 'Hi', recipients: ['ghost@example.com'], startAt: '+1d', endAt: '+2d', status: 'CREATED' }],
          },
        ],
      }),
    );
    await migrate();
    const before = await counts();
    const bad = await run('seed', '--file', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('late@example.com has no recipient ghost@example.com');
    expect(await counts()).toEqual(before);
  });
});

describe('yarn managers:create', () => {
  const roleOf = async (email: string) => (await pg.query('select role from users where email = $1', [email])).rows[0]?.role;
  const user = () => demo.users.find((u) => u.role === 'USER')!.email;

  it('promotes an existing user to manager, and says so when they already are one', async () => {
    await migrate();
    await pg.query(`insert into users (id, email, password_hash) values (gen_random_uuid(), $1, 'x')`, [user()]);
    const promoted = await run('managers:create', user().toUpperCase());
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(`${user()} is now a manager.`);
    expect(await roleOf(user())).toBe('MANAGER');

    const again = await run('managers:create', user());
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already a manager');
    expect(await roleOf(user())).toBe('MANAGER');
  });

  it('exits 1 with a clear message when there is no such user', async () => {
    const missing = await run('managers:create', 'nobody@example.com');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No user with the email nobody@example.com');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with the usage when no email is given', async () => {
    const usage = await run('managers:create');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('usage: yarn managers:create <email>');
  });
});

describe('yarn mailing:send', () => {
  let smtp: TestSmtp;
  beforeEach(async () => {
    smtp = await startTestSmtp();
  });
  afterEach(() => smtp?.close());

  /** One user's mailing to ann and bob, inside its window; returns its id. */
  async function mailingToAnnAndBob(disabled = false): Promise<string> {
    const fixture = fixtureSchema.parse({
      users: [
        {
          email: 'owner@example.com',
          password: 'owner-password',
          recipients: [{ email: 'ann@example.com' }, { email: 'bob@example.com' }],
          messages: [{ subject: 'Hello', body: 'Dear {{email}}' }],
          mailings: [
            { key: 'now', message: 'Hello', recipients: ['ann@example.com', 'bob@example.com'], startAt: '-1h', endAt: '+1d', status: 'CREATED', disabled },
          ],
        },
      ],
    });
    const orm = await initOrm(db.url, entities);
    try {
      await orm.em.fork().transactional((em) => loadFixture(em, fixture));
    } finally {
      await orm.close(true);
    }
    return fixtureId('mailing:now');
  }

  it('sends the mailing here to its end and exits 2 when a message failed', async () => {
    const mailingId = await mailingToAnnAndBob();
    smtp.rules = (to) => (to === 'bob@example.com' ? { rcpt: 550 } : undefined);
    const sent = await runWith({ SMTP_URL: smtp.url }, 'mailing:send', mailingId);
    expect(sent.stderr).not.toMatch(/error/i);
    expect(sent.stdout).toContain(`Sending mailing ${mailingId} to 2 recipients`);
    expect(sent.stdout).toMatch(/Done: 1 sent, 1 failed, 0 uncertain, 0 skipped, 0 to go \(of 2\)\. Attempt FAILURE; last answer: /);
    expect(sent.code).toBe(2);
    expect(smtp.received.map((mail) => mail.to)).toEqual(['ann@example.com']);
    const { rows } = await pg.query('select status, sent_count, failed_count from attempts where mailing_id = $1', [mailingId]);
    expect(rows).toEqual([{ status: 'FAILURE', sent_count: 1, failed_count: 1 }]);
  });

  it('exits 1 with the reason, and sends nothing, when the mailing is unknown or may not be sent', async () => {
    const disabledId = await mailingToAnnAndBob(true);
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const unknown = await runWith({ SMTP_URL: smtp.url }, 'mailing:send', unknownId);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`Mailing ${unknownId} was not found.`);
    const disabled = await runWith({ SMTP_URL: smtp.url }, 'mailing:send', disabledId);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toContain('This mailing is disabled');
    expect(disabled.stderr).not.toMatch(/\n\s+at /);
    expect((await pg.query('select 1 from attempts')).rowCount).toBe(0);
    expect(smtp.received).toEqual([]);
  });
});
