import 'reflect-metadata';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';

/** A worker process of the service (no HTTP): the crash test starts it and SIGKILLs it mid-run. */
async function main() {
  const app = await createApp(loadConfig(process.env));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
