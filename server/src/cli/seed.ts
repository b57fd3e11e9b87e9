import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MikroORM } from '@mikro-orm/postgresql';
import { MailingStatus } from '../mailings/mailing.entity';
import { CliError, openCliRuntime, runCli } from './cli-runtime';
import { fixtureSchema, type Fixture } from './fixture-schema';
import { loadFixture } from './fixture-loader';

const USAGE = 'usage: yarn seed [--reset] [--file fixtures/demo.json]';
const DEFAULT_FIXTURE = path.resolve(__dirname, '../../../fixtures/demo.json');

/** Loads the demo fixture idempotently (`--reset` empties every app table first) and prints the logins. */
async function main() {
  const { values } = parseArgs({
    options: { reset: { type: 'boolean', default: false }, file: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const file = values.file ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values.file) : DEFAULT_FIXTURE;
  const fixture = readFixture(file);

  const runtime = await openCliRuntime();
  try {
    if (values.reset) {
      await truncateAppTables(runtime.orm);
      await runtime.cache.clear();
      console.log('Deleted all data.');
    }
    const { mailings } = await runtime.orm.em.fork().transactional((em) => loadFixture(em, fixture));
    // Planned as saving them in the app plans them, so a running server's workers pick them up.
    for (const mailing of mailings.filter((m) => m.status !== MailingStatus.FINISHED)) {
      await runtime.planner.mailingSaved(mailing.id);
    }
    console.log(`Loaded ${path.relative(process.cwd(), file) || file}: ${summary(fixture)}.`);
    printLogins(fixture);
  } finally {
    await runtime.close();
  }
}

function readFixture(file: string): Fixture {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`Cannot read the fixture ${file}: ${(e as Error).message}\n${USAGE}`);
  }
  const parsed = fixtureSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new CliError(`The fixture ${file} is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Empties every table the app's entities map to (not the job store's). */
async function truncateAppTables(orm: MikroORM): Promise<void> {
  const tables = [...new Set(Object.values(orm.getMetadata().getAll()).map((meta) => meta.tableName))];
  await orm.em.getConnection().execute(`truncate ${tables.map((t) => `"${t}"`).join(', ')} cascade`);
}

function summary(fixture: Fixture): string {
  const count = (pick: (u: Fixture['users'][number]) => unknown[]) => fixture.users.reduce((n, u) => n + pick(u).length, 0);
  return [
    `${fixture.users.length} users`,
    `${count((u) => u.recipients)} recipients`,
    `${count((u) => u.messages)} messages`,
    `${count((u) => u.mailings)} mailings`,
  ].join(', ');
}

function printLogins(fixture: Fixture): void {
  console.log('\nDemo logins:');
  const width = Math.max(...fixture.users.map((u) => u.email.length));
  for (const u of fixture.users) console.log(`  ${u.role.padEnd(7)}  ${u.email.padEnd(width)}  ${u.password}`);
}

runCli(main);
