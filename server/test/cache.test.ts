import net from 'node:net';
import { createClient } from '@redis/client';
import { Mailing, MailingStatus } from '../src/mailings/mailing.entity';
import { Recipient } from '../src/recipients/recipient.entity';
import { User } from '../src/users/user.entity';
import { Role } from '../src/common/actor';
import pino from 'pino';
import { createAppCache, type AppCache } from '../src/cache/app-cache';
import { invalidateOwner } from '../src/cache/cache-invalidator';
import { databaseNamespace } from '../src/common/namespace';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { createMailing, createMessage, createRecipients, ok } from './mailing-helpers';
import { withQueries } from './fixture-helpers';
import { optionalService } from './optional-services';
import { waitUntil } from './wait-until';

const HOME = `{ home { totalMailings activeMailings uniqueRecipients } }`;
const MAILINGS = `query($status: MailingStatus) { mailings(status: $status) { total items { id status } } }`;
const redis = optionalService('TEST_REDIS_URL');

const homeOf = async (t: TestApp, as: TestUser) => ok(await t.gql(HOME, {}, as)).home;

describe('server-side cache (in-process)', () => cacheBehaviour('in-process', {}));
redis.describe('server-side cache (Redis)', () => cacheBehaviour('Redis', { REDIS_URL: redis.url }));

function cacheBehaviour(backend: 'in-process' | 'Redis', overrides: Record<string, string>) {
  let t: TestApp;
  let ann: TestUser;
  let ben: TestUser;
  let manager: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ CACHE_TTL_SECONDS: '300', ...overrides });
    manager = await t.createUser({ role: Role.MANAGER });
  });
  // Fresh users per test: figures start at zero whatever ran before.
  beforeEach(async () => {
    ann = await t.createUser();
    ben = await t.createUser();
  });
  afterAll(async () => {
    await t?.app.cache.clear();
    await t?.close();
  });

  it('answers a repeated read from the cache without touching the database', async () => {
    await homeOf(t, ann);
    const hits = t.app.cache.stats.hits;
    const again = await withQueries(t, HOME, {}, ann);
    expect(t.app.cache.stats.hits).toBe(hits + 1);
    expect(again.queries.filter((q) => q.includes('mailings'))).toEqual([]);
    expect(again.data.home).toEqual({ totalMailings: 0, activeMailings: 0, uniqueRecipients: 0 });
  });

  it('shows a write in the very next read: recipients, messages and mailings through the API', async () => {
    const before = await homeOf(t, ann);
    const everyoneBefore = await homeOf(t, manager);
    const recipients = await createRecipients(t, ann, 2, 'next-read');
    expect(await homeOf(t, ann)).toEqual({ ...before, uniqueRecipients: before.uniqueRecipients + 2 });
    expect((await homeOf(t, manager)).uniqueRecipients).toBe(everyoneBefore.uniqueRecipients + 2);

    const messageId = await createMessage(t, ann);
    await createMailing(t, ann, { messageId, recipientIds: recipients });
    expect((await homeOf(t, ann)).totalMailings).toBe(before.totalMailings + 1);
    expect((await homeOf(t, manager)).totalMailings).toBe(everyoneBefore.totalMailings + 1);

    const deleted = await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id: recipients[0] }, ann);
    expect(deleted.errors).toBeUndefined();
    expect((await homeOf(t, ann)).uniqueRecipients).toBe(before.uniqueRecipients + 1);
  });

  it("keeps each user's figures to themselves while staff share everyone's", async () => {
    const everyoneBefore = await homeOf(t, manager);
    await createRecipients(t, ben, 3, 'ben');
    const annFigures = await homeOf(t, ann);
    const benFigures = await homeOf(t, ben);
    expect(benFigures.uniqueRecipients).toBe(3);
    expect(annFigures.uniqueRecipients).not.toBe(benFigures.uniqueRecipients);
    // Cached now: reading again still gives each their own.
    expect(await homeOf(t, ann)).toEqual(annFigures);
    expect(await homeOf(t, ben)).toEqual(benFigures);
    expect((await homeOf(t, manager)).uniqueRecipients).toBe(everyoneBefore.uniqueRecipients + annFigures.uniqueRecipients + benFigures.uniqueRecipients);

    await createRecipients(t, ann, 1, 'only-ann');
    expect(await homeOf(t, ben)).toEqual(benFigures);
    expect((await homeOf(t, ann)).uniqueRecipients).toBe(annFigures.uniqueRecipients + 1);
  });

  it('invalidates on entity changes made anywhere through the ORM, e.g. the sending engine', async () => {
    const messageId = await createMessage(t, ben);
    const recipients = await createRecipients(t, ben, 1, 'engine');
    const mailingId = await createMailing(t, ben, { messageId, recipientIds: recipients });
    const before = await homeOf(t, ben);
    const em = t.app.orm.em.fork();
    const mailing = await em.findOneOrFail(Mailing, mailingId);
    mailing.status = MailingStatus.RUNNING;
    await em.flush();
    expect((await homeOf(t, ben)).activeMailings).toBe(before.activeMailings + 1);
  });

  it('waits for the commit when the write runs in a transaction', async () => {
    const before = await homeOf(t, ann);
    await t.app.orm.em.fork().transactional(async (em) => {
      em.create(Recipient, { email: 'in-transaction@example.com', owner: em.getReference(User, ann.user.id) });
      await em.flush();
      // Another connection does not see the row yet; this stale answer is cached under the current version.
      expect(await homeOf(t, ann)).toEqual(before);
    });
    expect((await homeOf(t, ann)).uniqueRecipients).toBe(before.uniqueRecipients + 1);
  });

  it('lets raw-SQL writers invalidate with invalidateOwner', async () => {
    const messageId = await createMessage(t, ann);
    const recipients = await createRecipients(t, ann, 1, 'raw');
    const mailingId = await createMailing(t, ann, { messageId, recipientIds: recipients });
    const before = await homeOf(t, ann);
    const em = t.app.orm.em.fork();
    await em.nativeUpdate(Mailing, { id: mailingId }, { status: MailingStatus.RUNNING });
    expect(await homeOf(t, ann)).toEqual(before);
    await invalidateOwner(em, ann.user.id);
    expect((await homeOf(t, ann)).activeMailings).toBe(before.activeMailings + 1);
  });

  it('caches the mailing list per reader and shows a new mailing in the next read', async () => {
    const first = ok(await t.gql(MAILINGS, {}, ben)).mailings;
    const hits = t.app.cache.stats.hits;
    const again = await withQueries(t, MAILINGS, {}, ben);
    expect(t.app.cache.stats.hits).toBe(hits + 1);
    expect(again.data.mailings).toEqual(first);
    expect(again.queries.filter((q) => /count\(/i.test(q))).toEqual([]);

    const messageId = await createMessage(t, ben);
    const recipients = await createRecipients(t, ben, 1, 'list');
    const created = await createMailing(t, ben, { messageId, recipientIds: recipients });
    const after = ok(await t.gql(MAILINGS, {}, ben)).mailings;
    expect(after.total).toBe(first.total + 1);
    expect(after.items[0].id).toBe(created);
    const annList = ok(await t.gql(MAILINGS, {}, ann)).mailings;
    expect(annList.items.map((m: { id: string }) => m.id)).not.toContain(created);
  });

  if (backend === 'Redis') {
    it("keeps its entries in Redis under this app's own namespace", async () => {
      await homeOf(t, ann);
      const client = await createClient({ url: redis.url }).connect();
      try {
        const keys = await client.keys(`${databaseNamespace(t.databaseUrl)}*`);
        expect(keys.some((k) => k.includes('home.figures'))).toBe(true);
      } finally {
        client.destroy();
      }
    });
  }
}

/** A TCP hop in front of Redis that a test can cut and restore. */
async function cuttableProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
}

redis.describe('server-side cache when Redis goes away and comes back', () => {
  let t: TestApp;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;

  beforeAll(async () => {
    proxy = await cuttableProxy(new URL(redis.url));
    t = await startTestApp({ CACHE_TTL_SECONDS: '300', REDIS_URL: proxy.url });
  });
  afterAll(async () => {
    await t?.app.cache.clear();
    await t?.close();
    await proxy?.close();
  });

  it('keeps answering reads and writes, and serves no entry that missed a write made meanwhile', async () => {
    const ann = await t.createUser();
    await createRecipients(t, ann, 1, 'before');
    const before = await homeOf(t, ann);
    expect(await homeOf(t, ann)).toEqual(before);
    const hitsBefore = t.app.cache.stats.hits;
    expect(hitsBefore).toBeGreaterThan(0);

    await proxy.cut();
    await createRecipients(t, ann, 1, 'during');
    expect((await homeOf(t, ann)).uniqueRecipients).toBe(before.uniqueRecipients + 1);

    await proxy.restore();
    const hits = t.app.cache.stats.hits;
    await waitUntil('reads from Redis again', async () => {
      const figures = await homeOf(t, ann);
      expect(figures.uniqueRecipients).toBe(before.uniqueRecipients + 1);
      return t.app.cache.stats.hits > hits;
    });
  });
});

describe('in-process caches of one process (SERVER_ROLE=all: API and sending threads)', () => {
  const logger = pino({ level: 'silent' });
  const open = (namespace: string) => createAppCache({ namespace, ttlSeconds: 300, logger });

  it('clear each other’s reads when one invalidates a scope, over the same database only', async () => {
    const [api, sending, elsewhere] = await Promise.all([open('db-a'), open('db-a'), open('db-b')]);
    try {
      let computed = 0;
      const read = (cache: AppCache) => cache.read('owner:1', 'figures', {}, async () => ++computed);
      expect(await read(api)).toBe(1);
      expect(await read(elsewhere)).toBe(2);
      expect(await read(api)).toBe(1);

      await sending.invalidate(['owner:1']);
      expect(await waitUntil('the API thread’s cache to drop the read', async () => (await read(api)) === 3 || undefined, 5000)).toBe(true);
      expect(await read(elsewhere)).toBe(2);
    } finally {
      await Promise.all([api.close(), sending.close(), elsewhere.close()]);
    }
  });
});
