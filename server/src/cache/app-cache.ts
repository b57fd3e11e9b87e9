import { createHash, randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Keyv } from 'keyv';
import KeyvRedis from '@keyv/redis';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../common/redis';

/** A read cache shared by every request; entries are grouped by scope (`u:<id>` or `all`). */
export interface AppCache {
  /** The cached value of `query(args)` in `scope`, computing and storing it on a miss. */
  read<T>(scope: string, query: string, args: unknown, compute: () => Promise<T>): Promise<T>;
  /**
   * `read` in two steps, for a value computed elsewhere (a whole GraphQL answer): the hit,
   * or how to store the value once computed. Stored under the scope's version as it was
   * at this call, so a value computed across a write is never reachable after it.
   */
  lookup<T>(scope: string, query: string, args: unknown): Promise<CacheLookup<T>>;
  /** Makes every entry of these scopes unreachable (the next read computes afresh). */
  invalidate(scopes: Iterable<string>): Promise<void>;
  /** Drops every entry of this cache's namespace. */
  clear(): Promise<void>;
  /** Reads answered from the cache and reads that had to compute. */
  readonly stats: { hits: number; misses: number };
  close(): Promise<void>;
}

export type CacheLookup<T> = { hit: true; value: T } | { hit: false; store(value: T): Promise<void> };

const NOT_STORED = { hit: false as const, store: async () => undefined };

export interface AppCacheOptions {
  /** Redis when given, a bounded in-process LRU otherwise. */
  redis?: RedisClient;
  /** Keeps apps that share one Redis (or parallel tests) apart. */
  namespace: string;
  ttlSeconds: number;
  logger: Logger;
  /** Entries kept in process when there is no Redis. */
  memoryEntries?: number;
}

/**
 * Versions outlive entries; an expired or evicted version is the same as a bump:
 * the entries stamped with it can no longer be reached.
 */
const VERSION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Version-stamped keys: `${scope}:${version}:${query}:${argsHash}`. Invalidating a scope
 * deletes its version, so no entry has to be found and deleted. A read sets a missing
 * version before it computes, so a result computed before a write committed is always
 * stored under a version that the write's invalidation has already removed.
 */
export async function createAppCache(options: AppCacheOptions): Promise<AppCache> {
  const { logger } = options;
  const backend = options.redis ? redisBackend(options.redis, options.namespace, logger) : memoryBackend(options);
  const { keyv } = backend;
  keyv.on('error', (err: unknown) => logger.debug({ err }, 'cache store error'));
  const ttlMs = options.ttlSeconds * 1000;
  const stats = { hits: 0, misses: 0 };
  const versionKey = (scope: string) => `ver:${scope}`;

  async function currentVersion(scope: string): Promise<string> {
    const existing = await keyv.get<string>(versionKey(scope));
    if (existing) return existing;
    const fresh = randomUUID();
    await keyv.set(versionKey(scope), fresh, VERSION_TTL_MS);
    return fresh;
  }

  async function lookup<T>(scope: string, query: string, args: unknown): Promise<CacheLookup<T>> {
    if (ttlMs === 0 || !backend.available()) {
      stats.misses++;
      return NOT_STORED;
    }
    let key: string;
    try {
      key = `${scope}:${await currentVersion(scope)}:${query}:${hashArgs(args)}`;
      const hit = await keyv.get<{ value: T }>(key);
      if (hit) {
        stats.hits++;
        return { hit: true, value: hit.value };
      }
    } catch (err) {
      logger.warn({ err, query }, 'cache read failed; computing without the cache');
      stats.misses++;
      return NOT_STORED;
    }
    stats.misses++;
    return {
      hit: false,
      // Wrapped so that a legitimately empty value (null, 0) is still a hit.
      store: (value: T) => keyv.set(key, { value }, ttlMs).then(
        () => undefined,
        (err: unknown) => logger.warn({ err, query }, 'cache write failed'),
      ),
    };
  }

  return {
    stats,
    lookup,
    async read<T>(scope: string, query: string, args: unknown, compute: () => Promise<T>): Promise<T> {
      const found = await lookup<T>(scope, query, args);
      if (found.hit) return found.value;
      const value = await compute();
      await found.store(value);
      return value;
    },
    async invalidate(scopes: Iterable<string>) {
      const keys = [...new Set(scopes)].map(versionKey);
      if (keys.length === 0 || !backend.available()) return;
      try {
        await keyv.delete(keys);
        backend.shareInvalidation?.(keys);
      } catch (err) {
        logger.error({ err, keys }, 'cache invalidation failed; entries expire with their TTL');
      }
    },
    async clear() {
      if (!backend.available()) {
        logger.warn('cache store unreachable; entries expire with their TTL');
        return;
      }
      await keyv.clear();
    },
    close: () => backend.close(),
  };
}

interface Backend {
  keyv: Keyv;
  /** False while the store cannot be trusted or reached: the cache is bypassed then. */
  available(): boolean;
  /** Releases what the backend holds (the Redis connection belongs to its opener). */
  close(): Promise<void>;
  /** Tells the other caches of this process over the same database what was invalidated (Redis is one cache for all). */
  shareInvalidation?(keys: string[]): void;
}

function memoryBackend(options: AppCacheOptions): Backend {
  const lru = new LRUCache<string, string | object>({ max: options.memoryEntries ?? 10_000 });
  // Keyv passes the TTL as a bare number; lru-cache takes it in an options object.
  const store = {
    get: (key: string) => lru.get(key),
    set: (key: string, value: string | object, ttl?: number) => Boolean(lru.set(key, value, { ttl })),
    delete: (key: string) => lru.delete(key),
    clear: () => lru.clear(),
  };
  // Kept as they are, not as text: a read hands out the stored value itself, which no caller changes.
  const keyv = new Keyv({ store, namespace: options.namespace, serialize: undefined, deserialize: undefined });
  // SERVER_ROLE=all sends on a thread of its own with a cache of its own: each thread's writes must clear the other's reads.
  const channel = new BroadcastChannel(`read-cache:${options.namespace}`);
  channel.unref();
  channel.onmessage = (event) => void keyv.delete((event as { data: string[] }).data);
  return {
    keyv,
    available: () => true,
    close: async () => {
      channel.close();
      lru.clear();
    },
    shareInvalidation: (keys) => channel.postMessage(keys),
  };
}

/**
 * While Redis is unreachable the cache is bypassed: reads go to the database and writes
 * are not held up. Invalidations are skipped in that time, so the namespace is emptied
 * when the connection is back, before the cache is used again.
 */
function redisBackend(client: RedisClient, namespace: string, logger: Logger): Backend {
  const keyv = new Keyv({
    store: new KeyvRedis(client, { namespace, throwOnConnectError: false, throwOnErrors: false }),
    namespace,
    useKeyPrefix: false,
  });
  // Not connected yet: writes are not invalidating, so the first connection starts from empty.
  let lost = !client.isReady;
  if (lost) logger.warn('Redis cache unreachable; reading from the database until it is back');
  const onError = (err: unknown) => {
    if (!lost) logger.warn({ err }, 'Redis cache unreachable; reading from the database until it is back');
    lost = true;
  };
  const onReady = () => {
    if (!lost) return;
    logger.info('Redis cache is back; dropping entries that may have missed invalidations');
    keyv.clear().then(
      () => (lost = false),
      (err: unknown) => logger.error({ err }, 'could not clear the cache after reconnecting; still bypassing it'),
    );
  };
  client.on('error', onError);
  client.on('ready', onReady);
  return {
    keyv,
    available: () => client.isReady && !lost,
    async close() {
      client.off('error', onError);
      client.off('ready', onReady);
    },
  };
}

/** A short, order-independent fingerprint of a query's arguments. */
export function hashArgs(args: unknown): string {
  const canonical = JSON.stringify(args ?? null, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
