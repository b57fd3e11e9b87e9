import 'reflect-metadata';
import { Role, User } from '../users/user.entity';
import { CliError, openCliRuntime, runCli } from './cli-runtime';

const USAGE = 'usage: yarn managers:create <email>';

/** Promotes an existing user to the Managers group (role MANAGER). */
async function main() {
  const email = process.argv[2]?.trim().toLowerCase();
  if (!email || process.argv.length > 3) throw new CliError(USAGE);
  const runtime = await openCliRuntime();
  try {
    const em = runtime.orm.em.fork();
    const user = await em.findOne(User, { email });
    if (!user) throw new CliError(`No user with the email ${email}. Register the account (or have an admin create it) first.`);
    if (user.role === Role.MANAGER) {
      console.log(`${email} is already a manager; nothing changed.`);
      return;
    }
    if (user.role === Role.ADMIN) throw new CliError(`${email} is an admin; an admin is not made a manager. Nothing changed.`);
    user.role = Role.MANAGER;
    await em.flush();
    console.log(`${email} is now a manager.`);
  } finally {
    await runtime.close();
  }
}

runCli(main);
