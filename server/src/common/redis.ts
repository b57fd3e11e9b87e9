import { setTimeout as delay } from 'node:timers/promises';
import { createClient, type RedisClientType } from '@redis/client';
import type { Logger } from './logger';

export type RedisClient = RedisClientType;

const CONNECT_WAIT_MS = 2000;

/**
 * The process's one Redis connection (REDIS_URL), shared by the read cache and the send
 * rate limit. While it is down, commands fail at once instead of queueing, so each user
 * can fall back (the cache reads the database, the rate limit holds sending back); it
 * reconnects by itself. Waits a moment for the first connection: the app starts without
 * Redis if it is not there.
 */
export async function openRedis(url: string, logger: Logger): Promise<RedisClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000) },
  });
  // Each failed reconnect emits one; unheard, it would crash the process. Users log the outage once.
  client.on('error', (err: unknown) => logger.debug({ err }, 'Redis connection error'));
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  await Promise.race([connected, delay(CONNECT_WAIT_MS, false, { ref: false })]);
  return client;
}

export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) await client.close();
  else client.destroy();
}
