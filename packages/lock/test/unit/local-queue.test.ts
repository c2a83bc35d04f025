import { LockBusyError } from '../../src';
import { LocalQueue } from '../../src/local-queue';

describe('LocalQueue', () => {
  it('when three callers enter one key, then they get their turns in call order', async () => {
    const queue = new LocalQueue();
    const order: number[] = [];
    const first = await queue.enter('k', 1000, undefined, () => new Error('timeout'));
    expect(first.queued).toBe(false);
    const later = [1, 2].map((i) =>
      queue
        .enter('k', 1000, undefined, () => new Error('timeout'))
        .then((turn) => {
          order.push(i);
          return turn;
        }),
    );
    expect(queue.size('k')).toBe(3);
    first.exit();
    const second = await later[0];
    expect(order).toEqual([1]);
    second?.exit();
    const third = await later[1];
    expect(order).toEqual([1, 2]);
    expect(third?.queued).toBe(true);
    third?.exit();
    expect(queue.size('k')).toBe(0);
  });

  it('when different keys are entered, then they do not wait for each other', async () => {
    const queue = new LocalQueue();
    const a = await queue.enter('a', 0, undefined, () => new Error('timeout'));
    const b = await queue.enter('b', 0, undefined, () => new Error('timeout'));
    expect([a.queued, b.queued]).toEqual([false, false]);
  });

  it('when a queued caller waits longer than its wait, then it leaves with the timeout error', async () => {
    const queue = new LocalQueue();
    const first = await queue.enter('k', 1000, undefined, () => new Error('timeout'));
    const busy = new LockBusyError('k', 42);
    await expect(queue.enter('k', 10, undefined, () => busy)).rejects.toBe(busy);
    expect(queue.size('k')).toBe(1);
    first.exit();
    first.exit(); // a second exit changes nothing
    expect(queue.size('k')).toBe(0);
  });

  it('when a queued caller aborts, then it leaves with the reason and the next one moves up', async () => {
    const queue = new LocalQueue();
    const first = await queue.enter('k', 1000, undefined, () => new Error('timeout'));
    const controller = new AbortController();
    const aborted = queue.enter('k', 1000, controller.signal, () => new Error('timeout'));
    const third = queue.enter('k', 1000, undefined, () => new Error('timeout'));
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    first.exit();
    const turn = await third;
    expect(turn.queued).toBe(true);
    turn.exit();
    expect(queue.size('k')).toBe(0);
  });
});
