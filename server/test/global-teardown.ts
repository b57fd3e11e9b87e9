import type { EmbeddedDatabase } from '../src/db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { embeddedTestDatabase?: EmbeddedDatabase }).embeddedTestDatabase?.stop();
}
