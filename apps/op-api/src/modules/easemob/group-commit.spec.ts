import { GroupCommit, type Settled } from './group-commit';

/** A commit that records each batch and settles it when the test says so. */
function recorder() {
  const batches: string[][] = [];
  const settle: Array<() => void> = [];
  const commit = (items: string[]) =>
    new Promise<Array<Settled<string>>>((resolve) => {
      batches.push(items);
      settle.push(() => resolve(items.map((item) => ({ ok: true as const, value: `${item} stored` }))));
    });
  return { batches, settle, commit };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GroupCommit', () => {
  it('commits a lone item at once and answers it with its own result', async () => {
    const { batches, settle, commit } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 100, maxInFlight: 2, lingerMs: 60_000 });
    const answer = group.submit('a');
    await turn();
    expect(batches).toEqual([['a']]);
    settle[0]();
    await expect(answer).resolves.toBe('a stored');
  });

  it('fills the next batch while one commits, and starts it when that one is done', async () => {
    const { batches, settle, commit } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 100, maxInFlight: 2, lingerMs: 60_000 });
    const answers = [group.submit('a')];
    await turn();
    answers.push(group.submit('b'));
    await turn();
    answers.push(group.submit('c'));
    await turn();
    // A second batch could start (two may commit at once) but waits to fill.
    expect(batches).toEqual([['a']]);
    settle[0]();
    await turn();
    await turn();
    expect(batches).toEqual([['a'], ['b', 'c']]);
    settle[1]();
    await expect(Promise.all(answers)).resolves.toEqual(['a stored', 'b stored', 'c stored']);
  });

  it('starts a waiting batch once it is full or has waited lingerMs', async () => {
    const { batches, settle, commit } = recorder();
    const full = new GroupCommit(commit, { maxBatch: 2, maxInFlight: 2, lingerMs: 60_000 });
    void full.submit('a');
    await turn();
    void full.submit('b');
    void full.submit('c');
    await turn();
    expect(batches).toEqual([['a'], ['b', 'c']]);

    const slow = recorder();
    const lingering = new GroupCommit(slow.commit, { maxBatch: 100, maxInFlight: 2, lingerMs: 20 });
    void lingering.submit('x');
    await turn();
    void lingering.submit('y');
    await turn();
    expect(slow.batches).toEqual([['x']]);
    await sleep(60);
    // The first is still committing: the second went after its 20 ms.
    expect(slow.batches).toEqual([['x'], ['y']]);
    [...settle, ...slow.settle].forEach((done) => done());
  });

  it('with lingerMs 0 starts a second batch as soon as it may', async () => {
    const { batches, commit } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 100, maxInFlight: 2, lingerMs: 0 });
    void group.submit('a');
    await turn();
    void group.submit('b');
    await turn();
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('starts what does not fit in one batch as soon as another may start', async () => {
    // One item a batch, any number at once (group commit off): three submitted together all commit at once.
    const { batches, commit } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 1, maxInFlight: Number.MAX_SAFE_INTEGER, lingerMs: 0 });
    for (const item of ['a', 'b', 'c']) void group.submit(item);
    for (let i = 0; i < 4; i++) await turn();
    expect(batches).toEqual([['a'], ['b'], ['c']]);
  });
});
