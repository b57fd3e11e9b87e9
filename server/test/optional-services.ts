/**
 * Services only some tests need, named by URL. Without one, its tests are skipped; the
 * global setup says so in one line.
 */
export const OPTIONAL_SERVICES = {
  TEST_REDIS_URL: 'Redis',
  MONGODB_URL: 'MongoDB job store',
} as const;

type Variable = keyof typeof OPTIONAL_SERVICES;

/** The service's URL and a `describe` that runs only when it is set. */
export function optionalService(variable: Variable): { url: string; describe: jest.Describe } {
  const url = process.env[variable] ?? '';
  return { url, describe: url ? describe : describe.skip };
}
