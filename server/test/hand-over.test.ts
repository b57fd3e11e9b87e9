import { liveCountsOf } from '../src/sending/attempt-progress';
import { claimDeliveries, extendLeases, markHandedOver, type ClaimedDelivery } from '../src/sending/claim';
import { finishMailing } from '../src/sending/close-attempt';
import { openAttempt } from '../src/sending/open-attempt';
import { DeliveryStatus } from '../src/sending/delivery.entity';
import { ResultWriter, resultFor } from '../src/sending/record';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { startTestApp, type TestApp } from './harness';
import { FAST_SENDING, deliveriesOf, seedMailing, type DeliveryRow } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(FAST_SENDING);
});
afterAll(() => t?.close());

/**
 * A worker that claimed two deliveries under a lease that lapses at once, marked the first
 * handed to the mail server, and died before it knew what became of it.
 */
async function workerDiedAfterHandOver(opts: { endAt?: Date } = {}) {
  const { user } = await t.createUser();
  const { mailingId } = await seedMailing(t.app, user, { count: 2, ...opts });
  const attempt = await openAttempt(t.app.orm.em, mailingId, 'example.test');
  const [handedOver, claimedOnly] = (await claimDeliveries(t.app.orm.em, attempt.id, 10, 0)).deliveries;
  await markHandedOver(t.app.orm.em, [handedOver.id]);
  const rowOf = async (delivery: ClaimedDelivery) => (await deliveriesOf(t.app, mailingId)).find((row) => row.email === delivery.email) as DeliveryRow;
  return { mailingId, attemptId: attempt.id, handedOver, claimedOnly, rowOf };
}

describe('a claim that marks its first deliveries handed over', () => {
  it('marks as many as asked, and no skipped one', async () => {
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { count: 5 });
    const attempt = await openAttempt(t.app.orm.em, mailingId, 'example.test');
    const { deliveries } = await claimDeliveries(t.app.orm.em, attempt.id, 10, 60_000, 2);

    expect(deliveries).toHaveLength(5);
    const marked = deliveries.filter((d) => d.handedOver).map((d) => d.email);
    expect(marked).toHaveLength(2);
    const rows = await deliveriesOf(t.app, mailingId);
    expect(rows.filter((row) => row.handedOver).map((row) => row.email).sort()).toEqual([...marked].sort());
    expect(await liveCountsOf(t.app.orm.em.fork(), attempt.id)).toMatchObject({ sending: 5, inFlight: 2, claimed: 3 });
  });
});

describe('a delivery its worker handed to the mail server before it died', () => {
  it('counts as in flight, and when claimed again carries that try and the flag that it may arrive twice', async () => {
    const { attemptId, handedOver, claimedOnly, rowOf } = await workerDiedAfterHandOver();
    expect(await liveCountsOf(t.app.orm.em.fork(), attemptId)).toMatchObject({ pending: 0, sending: 2, inFlight: 1, claimed: 1 });

    const again = (await claimDeliveries(t.app.orm.em, attemptId, 10, 60_000)).deliveries;
    expect(again.find((d) => d.id === handedOver.id)).toMatchObject({ tries: 1 });
    expect(again.find((d) => d.id === claimedOnly.id)).toMatchObject({ tries: 0 });
    expect(await rowOf(handedOver)).toMatchObject({ status: 'SENDING', tries: 1, mayHaveArrivedTwice: true, handedOver: false });
    expect(await rowOf(claimedOnly)).toMatchObject({ status: 'SENDING', tries: 0, mayHaveArrivedTwice: false, handedOver: false });
    expect(await liveCountsOf(t.app.orm.em.fork(), attemptId)).toMatchObject({ sending: 2, inFlight: 0, claimed: 2 });
  });

  it('is UNCERTAIN, that try counted, when the mailing ends first; one it only claimed was not sent', async () => {
    const { mailingId, handedOver, claimedOnly, rowOf } = await workerDiedAfterHandOver({ endAt: new Date(Date.now() + 3_600_000) });
    expect(await finishMailing(t.app.orm.em, mailingId, new Date(Date.now() + 2 * 3_600_000))).toEqual({ kind: 'finished' });
    expect(await rowOf(handedOver)).toMatchObject({ status: 'UNCERTAIN', tries: 1, response: expect.stringMatching(/It may have arrived/) });
    expect(await rowOf(claimedOnly)).toMatchObject({ status: 'FAILED', tries: 0, response: 'Not sent: the mailing ended before it went out.' });
  });
});

/** The hot path's statements (raw-sql.ts, runSql) run through `em`'s pool, each one's text kept in `statements`. */
function countingStatements(em: EntityManager): { em: EntityManager; statements: string[] } {
  type Client = { query(text: string): Promise<unknown> };
  const pool = em.getKnex().client as { acquireConnection(): Promise<Client>; releaseConnection(client: Client): Promise<unknown> };
  const statements: string[] = [];
  const clients = new Map<Client, Client>();
  const client = {
    acquireConnection: async () => {
      const real = await pool.acquireConnection();
      const counting = { query: (text: string) => (statements.push(text), real.query(text)) };
      clients.set(counting, real);
      return counting;
    },
    releaseConnection: (counting: Client) => pool.releaseConnection(clients.get(counting)!),
  };
  return { em: { getKnex: () => ({ client }) } as unknown as EntityManager, statements };
}

describe('a hand-over mark written with the results waiting then', () => {
  const policy = { SEND_MAX_RETRIES: 3, SEND_RETRY_BASE_MS: 1000, SEND_RETRY_MAX_MS: 60_000 };

  async function claimedPair(count = 2) {
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { count });
    const attempt = await openAttempt(t.app.orm.em, mailingId, 'example.test');
    const [sent, next, ...rest] = (await claimDeliveries(t.app.orm.em, attempt.id, 10, 60_000)).deliveries;
    const rowOf = async (delivery: ClaimedDelivery) => (await deliveriesOf(t.app, mailingId)).find((row) => row.email === delivery.email) as DeliveryRow;
    return { sent, next, rest, rowOf };
  }

  it('takes the waiting results along: both are written by the time the mark is', async () => {
    const { sent, next, rowOf } = await claimedPair();
    const { em, statements } = countingStatements(t.app.orm.em);
    const writer = new ResultWriter(em);
    let written = false;
    // Waiting: the writer writes in a later turn.
    const write = writer.write([resultFor(sent, { kind: 'sent', response: '250 2.0.0 Ok: queued' }, policy)]).then(() => (written = true));
    await writer.markHandedOver([next.id]);
    expect(written).toBe(true);
    await write;
    expect(statements).toHaveLength(1);
    expect(await rowOf(sent)).toMatchObject({ status: 'SENT', tries: 1, response: '250 2.0.0 Ok: queued', handedOver: false });
    expect(await rowOf(next)).toMatchObject({ status: 'SENDING', handedOver: true });
  });

  it('writes a mark asked for during a write with the next one, in one statement with the results that came meanwhile', async () => {
    const { sent, next, rest, rowOf } = await claimedPair(3);
    const { em, statements } = countingStatements(t.app.orm.em);
    const writer = new ResultWriter(em);
    const sentResult = (delivery: ClaimedDelivery) => resultFor(delivery, { kind: 'sent', response: '250 2.0.0 Ok: queued' }, policy);
    // The writer was idle: written at once.
    const first = writer.write([sentResult(sent)]);
    while (statements.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const mark = writer.markHandedOver([next.id]);
    const second = writer.write([sentResult(rest[0])]);
    await Promise.all([first, mark, second]);
    expect(statements).toHaveLength(2);
    expect(statements[1]).toContain(next.id);
    expect(statements[1]).toContain(rest[0].id);
    expect(await rowOf(sent)).toMatchObject({ status: 'SENT' });
    expect(await rowOf(next)).toMatchObject({ status: 'SENDING', handedOver: true });
    expect(await rowOf(rest[0])).toMatchObject({ status: 'SENT' });
  });

  it('keeps its interval after a hurry that came once the mark was already in a statement; hurries the next mark', async () => {
    // A pool whose statements end when the test says, and an interval longer than the test.
    const issued: Array<{ text: string; done: () => void }> = [];
    const client = { query: (text: string) => new Promise((resolve) => issued.push({ text, done: () => resolve({ rows: [] }) })) };
    const pool = { acquireConnection: async () => client, releaseConnection: async () => undefined };
    const writer = new ResultWriter({ getKnex: () => ({ client: pool }) } as unknown as EntityManager, 60_000);
    const [first, second, third] = ['1', '2', '3'].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
    const mark = writer.markHandedOver([first]);
    await waitUntil('the mark to be written', async () => issued.length === 1);
    // The senders ask for haste while the mark is being written; a result comes meanwhile.
    writer.hurry();
    const result = writer.write([{ id: second, status: DeliveryStatus.SENT, response: '250 Ok', tries: 1, nextTryAt: new Date(), sentAt: new Date() }]);
    issued[0].done();
    await mark;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The result waits for the interval instead of taking a statement of its own at once.
    expect(issued).toHaveLength(1);
    // A mark hurried while it waits goes at once, the result with it.
    const next = writer.markHandedOver([third]);
    writer.hurry();
    await waitUntil('the next mark to be written', async () => issued.length === 2);
    expect(issued[1].text).toContain(second);
    expect(issued[1].text).toContain(third);
    issued[1].done();
    await Promise.all([next, result]);
  });

  it('leaves the results to their own write when the mark fails', async () => {
    const { sent, rowOf } = await claimedPair();
    const writer = new ResultWriter(t.app.orm.em);
    const write = writer.write([resultFor(sent, { kind: 'sent', response: '250 2.0.0 Ok: queued' }, policy)]);
    await expect(writer.markHandedOver(['not a delivery id'])).rejects.toThrow(/uuid/);

    await write;
    expect(await rowOf(sent)).toMatchObject({ status: 'SENT', tries: 1 });
  });
});

describe('renewing the leases of claimed deliveries', () => {
  const leaseEndOf = async (id: string) => {
    const [row] = await t.app.orm.em.fork().execute<Array<{ ms: number }>>(`select extract(epoch from next_try_at - now()) * 1000 as ms from deliveries where id = ?`, [id]);
    return Number(row.ms);
  };

  it('passes over a delivery another transaction is writing instead of waiting for it (waiting could deadlock), and renews the rest', async () => {
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { count: 2 });
    const attempt = await openAttempt(t.app.orm.em, mailingId, 'example.test');
    const [busy, free] = (await claimDeliveries(t.app.orm.em, attempt.id, 10, 60_000)).deliveries;
    // Another statement (a result being written) holds the row of `busy`.
    const writer = new Client({ connectionString: t.databaseUrl });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query(`update deliveries set response = 'being written' where id = $1`, [busy.id]);
      const renewal = extendLeases(t.app.orm.em, [busy.id, free.id], 3_600_000);
      const blocked = new Promise((_, reject) => setTimeout(() => reject(new Error('the renewal waited for the row being written')), 5_000).unref());
      await Promise.race([renewal, blocked]);
    } finally {
      await writer.query('rollback');
      await writer.end();
    }
    expect(await leaseEndOf(free.id)).toBeGreaterThan(3_000_000);
    expect(await leaseEndOf(busy.id)).toBeLessThan(61_000);
    expect((await deliveriesOf(t.app, mailingId)).map((row) => row.status)).toEqual(['SENDING', 'SENDING']);
  });
});
