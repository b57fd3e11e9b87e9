import { hash, verify } from '@node-rs/argon2';

/** An Argon2id hash (PHC string) of a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown account) it
 * still runs a full verification, so the answer takes about as long either way.
 */
export async function passwordMatches(storedHash: string | undefined, password: string): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hash('a password nobody has');
    await verify(await dummyHash, password);
    return false;
  }
  return verify(storedHash, password);
}
