import 'reflect-metadata';
import { accountHooks } from '../mailings/mailing-hooks';
import { UserService } from '../users/user.service';
import { CliError, openCliRuntime, runCli } from './cli-runtime';

const USAGE = 'usage: yarn managers:create <email>';

/** Promotes an existing user to the Managers group (role MANAGER). */
async function main() {
  const email = process.argv[2]?.trim().toLowerCase();
  if (!email || process.argv.length > 3) throw new CliError(USAGE);
  const runtime = await openCliRuntime();
  try {
    const users = new UserService(runtime.orm.em.fork(), accountHooks(runtime.planner));
    const promoted = await users.makeManager(email);
    console.log(promoted ? `${email} is now a manager.` : `${email} is already a manager; nothing changed.`);
  } finally {
    await runtime.close();
  }
}

runCli(main);
