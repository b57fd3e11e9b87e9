import { ClaimQueue, type ClaimedDelivery } from '../src/sending/claim';

const delivery = (n: number): ClaimedDelivery => ({
  id: `d${n}`,
  email: `r${n}@example.com`,
  fullName: `R ${n}`,
  messageId: `<d${n}@x>`,
  tries: 0,
  recipientId: `r${n}`,
  ownerId: 'o1',
});
const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => delivery(from + i));
const never = () => false;
/** Lets the claim started in the background come back. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A claim source that hands out `batches` in turn, then nothing. */
function source(...batches: ClaimedDelivery[][]) {
  const calls: number[] = [];
  const claim = jest.fn(async (claimedSoFar: number) => {
    calls.push(claimedSoFar);
    return { deliveries: batches.shift() ?? [], more: true };
  });
  return { claim, calls };
}

async function drain(queue: ClaimQueue, stopped = never): Promise<string[]> {
  const ids: string[] = [];
  for (let d = await queue.next(stopped); d; d = await queue.next(stopped)) ids.push(d.id);
  return ids;
}

describe('ClaimQueue', () => {
  it('gives back the waiting deliveries it is asked for, never one already handed out', async () => {
    const { claim } = source(batch(1, 4));
    const queue = new ClaimQueue(claim, 0);
    expect((await queue.next(never))?.id).toBe('d1');
    expect(queue.waitingIds()).toEqual(['d2', 'd3', 'd4']);
    expect(queue.withdraw(new Set(['d1', 'd3'])).map((d) => d.id)).toEqual(['d3']);
    expect(queue.waitingIds()).toEqual(['d2', 'd4']);
    expect(await drain(queue)).toEqual(['d2', 'd4']);
  });

  it('hands out every claimed delivery once, claiming until a claim comes back empty', async () => {
    const { claim, calls } = source(batch(1, 3), batch(4, 2));
    const queue = new ClaimQueue(claim, 1);
    expect(await drain(queue)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    expect(calls).toEqual([0, 3, 5]);
    expect(queue.claimed).toBe(5);
    expect(await queue.settle()).toEqual({ unsent: [], failure: null });
  });

  it('claims no more once a claim says nothing more is due, and says it was drained', async () => {
    const claim = jest.fn(async () => ({ deliveries: batch(1, 3), more: false }));
    const queue = new ClaimQueue(claim, 5);
    expect(await drain(queue)).toEqual(['d1', 'd2', 'd3']);
    expect(claim).toHaveBeenCalledTimes(1);
    expect(queue.drained).toBe(true);
  });

  it('is not drained while claims may find more', async () => {
    const { claim } = source(batch(1, 3));
    const queue = new ClaimQueue(claim, 0);
    let stop = false;
    expect((await queue.next(() => stop))?.id).toBe('d1');
    stop = true;
    expect(await queue.next(() => stop)).toBeUndefined();
    expect(queue.drained).toBe(false);
  });

  it('claims the next batch ahead, once fewer than the low-water mark wait', async () => {
    const { claim } = source(batch(1, 4), batch(5, 4));
    const queue = new ClaimQueue(claim, 3);
    await queue.next(never);
    expect(claim).toHaveBeenCalledTimes(1);
    await queue.next(never);
    expect(claim).toHaveBeenCalledTimes(2);
    expect(await drain(queue)).toEqual(['d3', 'd4', 'd5', 'd6', 'd7', 'd8']);
  });

  it('shares one claim among concurrent takers', async () => {
    const { claim } = source(batch(1, 2));
    const queue = new ClaimQueue(claim, 0);
    const taken = await Promise.all([queue.next(never), queue.next(never), queue.next(never)]);
    expect(taken.map((d) => d?.id)).toEqual(['d1', 'd2', undefined]);
    expect(claim).toHaveBeenCalledTimes(2);
  });

  it('stops handing out when told to, and gives back what it holds', async () => {
    const { claim } = source(batch(1, 5));
    const queue = new ClaimQueue(claim, 0);
    let stop = false;
    expect((await queue.next(() => stop))?.id).toBe('d1');
    stop = true;
    expect(await queue.next(() => stop)).toBeUndefined();
    expect((await queue.settle()).unsent.map((d) => d.id)).toEqual(['d2', 'd3', 'd4', 'd5']);
  });

  it('stops handing out once the claim source halts (the attempt may not go on), giving back what it holds', async () => {
    const claim = jest.fn(async (claimedSoFar: number) => (claimedSoFar === 0 ? { deliveries: batch(1, 3), more: true } : ('halt' as const)));
    const queue = new ClaimQueue(claim, 5);
    expect((await queue.next(never))?.id).toBe('d1');
    await settled();
    expect(await queue.next(never)).toBeUndefined();
    expect(await queue.settle()).toEqual({ unsent: [delivery(2), delivery(3)], failure: null });
  });

  it('stops on a failed claim and reports it with what it gives back', async () => {
    const broken = new Error('database gone');
    const claim = jest.fn(async (claimedSoFar: number) => {
      if (claimedSoFar > 0) throw broken;
      return { deliveries: batch(1, 3), more: true };
    });
    const queue = new ClaimQueue(claim, 3);
    expect((await queue.next(never))?.id).toBe('d1');
    await settled();
    expect(await queue.next(never)).toBeUndefined();
    expect(await queue.settle()).toEqual({ unsent: [delivery(2), delivery(3)], failure: broken });
  });

  it('marks deliveries handed over a few at a time before handing them out, the next few while the last go', async () => {
    const { claim } = source(batch(1, 6));
    const marks: string[][] = [];
    const mark = jest.fn(async (deliveries: ClaimedDelivery[]) => {
      marks.push(deliveries.map((d) => d.id));
    });
    const queue = new ClaimQueue(claim, 0, { mark, ahead: 2 });
    const handedOut: string[] = [];
    for (let d = await queue.next(never); d; d = await queue.next(never)) {
      // Every delivery handed out was marked first.
      expect(marks.flat()).toContain(d.id);
      handedOut.push(d.id);
    }
    expect(handedOut).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6']);
    expect(marks).toEqual([
      ['d1', 'd2'],
      ['d3', 'd4'],
      ['d5', 'd6'],
    ]);
  });

  it('hurries the mark under way once the senders are down to half of `ahead` marked, not before', async () => {
    const { claim } = source(batch(1, 12));
    const marks: Array<{ ids: string[]; written: () => void }> = [];
    const mark = (deliveries: ClaimedDelivery[]) => new Promise<void>((written) => void marks.push({ ids: deliveries.map((d) => d.id), written }));
    const hurry = jest.fn();
    const queue = new ClaimQueue(claim, 0, { mark, ahead: 4, hurry });
    // Nothing marked yet: the first mark is hurried at once.
    const first = queue.next(never);
    await settled();
    expect(marks.map((m) => m.ids)).toEqual([['d1', 'd2', 'd3', 'd4']]);
    expect(hurry).toHaveBeenCalledTimes(1);
    marks[0].written();
    expect((await first)?.id).toBe('d1');
    // Three marked left: the next mark is asked for, and left to the writer's pace.
    expect(marks.map((m) => m.ids)).toEqual([
      ['d1', 'd2', 'd3', 'd4'],
      ['d5', 'd6', 'd7', 'd8'],
    ]);
    expect(hurry).toHaveBeenCalledTimes(1);
    // Two left: half of `ahead`, so it is hurried.
    expect((await queue.next(never))?.id).toBe('d2');
    expect(hurry).toHaveBeenCalledTimes(2);
    marks[1].written();
    await settled();
    // Written: six marked, no hurry while the senders go on.
    expect((await queue.next(never))?.id).toBe('d3');
    expect(hurry).toHaveBeenCalledTimes(2);
  });

  it('hands out at once what the claim marked itself, and marks only the rest', async () => {
    const claimed = batch(1, 4).map((d, i) => ({ ...d, handedOver: i < 2 }));
    const { claim } = source(claimed);
    const marks: string[][] = [];
    const queue = new ClaimQueue(claim, 0, { mark: async (deliveries) => void marks.push(deliveries.map((d) => d.id)), ahead: 2 });
    expect(await drain(queue)).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(marks).toEqual([['d3', 'd4']]);
  });

  it('gives back and withdraws marked deliveries not yet handed out like the others', async () => {
    const { claim } = source(batch(1, 6));
    const queue = new ClaimQueue(claim, 0, { mark: async () => undefined, ahead: 2 });
    expect((await queue.next(never))?.id).toBe('d1');
    await settled();
    expect(queue.waitingIds()).toEqual(['d2', 'd3', 'd4', 'd5', 'd6']);
    expect(queue.withdraw(new Set(['d2', 'd5'])).map((d) => d.id)).toEqual(['d2', 'd5']);
    let stop = false;
    expect((await queue.next(() => stop))?.id).toBe('d3');
    stop = true;
    expect(await queue.next(() => stop)).toBeUndefined();
    expect((await queue.settle()).unsent.map((d) => d.id)).toEqual(['d4', 'd6']);
  });

  it('stops on a failed mark: hands out nothing it could not mark and gives it back', async () => {
    const broken = new Error('database gone');
    const { claim } = source(batch(1, 4));
    const mark = jest.fn(async (deliveries: ClaimedDelivery[]) => {
      if (deliveries[0].id !== 'd1') throw broken;
    });
    const queue = new ClaimQueue(claim, 0, { mark, ahead: 2 });
    expect(await drain(queue)).toEqual(['d1', 'd2']);
    expect(await queue.settle()).toEqual({ unsent: [delivery(3), delivery(4)], failure: broken });
  });
});
