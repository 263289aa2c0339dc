import { Fence, FencedError } from './fence';
import { LeaseHolder, LeaseHolderOptions, TermEnd, Unleased } from './leadership';
import { LeaseStore } from './lease-store';

/** Leases in memory, with the semantics of PostgresLeaseStore on this process's clock. */
class InMemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, { holder: string; token: number; expiresAt: number }>();
  /** Holders whose statements never reach the store (a network cut between them). */
  readonly unreachable = new Set<string>();

  async acquire(name: string, holder: string, ttlMs: number): Promise<number | null> {
    this.reach(holder);
    const lease = this.leases.get(name);
    if (lease && lease.expiresAt > Date.now()) return null;
    const token = (lease?.token ?? 0) + 1;
    this.leases.set(name, { holder, token, expiresAt: Date.now() + ttlMs });
    return token;
  }

  async renew(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    this.reach(holder);
    const lease = this.leases.get(name);
    if (!lease || lease.holder !== holder || lease.token !== token) return false;
    lease.expiresAt = Date.now() + ttlMs;
    return true;
  }

  async release(name: string, holder: string, token: number): Promise<void> {
    this.reach(holder);
    const lease = this.leases.get(name);
    if (lease && lease.holder === holder && lease.token === token) lease.expiresAt = Date.now();
  }

  async close(): Promise<void> {}

  private reach(holder: string): void {
    if (this.unreachable.has(holder)) throw new Error(`${holder} cannot reach the lease store`);
  }
}

const TIMING = { ttlMs: 300, renewMs: 100 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
  return Date.now() - started;
}

/** A candidate running work that records its terms and writes under its fence until the term ends. */
function candidate(store: InMemoryLeaseStore, holder: string, options: Partial<LeaseHolderOptions> = {}) {
  const terms: { fence: Fence | null; ended: boolean }[] = [];
  const ends: TermEnd[] = [];
  const fenced: FencedError[] = [];
  const leaseHolder = new LeaseHolder(store, {
    name: 'projector',
    holder,
    ...TIMING,
    onTermEnd: (_token, end) => ends.push(end),
    onFenced: (error) => fenced.push(error),
    ...options,
  });
  const controller = new AbortController();
  const running = leaseHolder.run(controller.signal, async (fence, term) => {
    const record = { fence, ended: false };
    terms.push(record);
    await new Promise((resolve) => term.addEventListener('abort', resolve, { once: true }));
    record.ended = true;
  });
  return { leaseHolder, terms, ends, fenced, stop: () => (controller.abort(), running) };
}

describe('LeaseHolder', () => {
  it('with the lease free, acquires it, runs the work with fencing token 1, and releases it when stopped', async () => {
    const store = new InMemoryLeaseStore();
    const a = candidate(store, 'a');
    await until('a term', () => a.terms.length === 1);
    expect(a.terms[0].fence).toEqual({ lease: 'projector', token: 1 });
    expect(a.leaseHolder.status()).toEqual({
      lease: 'projector',
      holder: 'a',
      active: true,
      fencingToken: 1,
    });
    await sleep(3 * TIMING.ttlMs);
    expect(a.terms).toHaveLength(1); // renewed, never lost
    await a.stop();
    expect(a.terms[0].ended).toBe(true);
    expect(a.ends).toEqual(['released']);
    expect(a.leaseHolder.status().active).toBe(false);
    expect(store.leases.get('projector')!.expiresAt).toBeLessThanOrEqual(Date.now());
  });

  it('with an active holder, a standby waits; once the holder stops, the standby takes over at its next try', async () => {
    const store = new InMemoryLeaseStore();
    const a = candidate(store, 'a');
    await until('a term', () => a.terms.length === 1);
    const b = candidate(store, 'b');
    await sleep(2 * TIMING.ttlMs);
    expect(b.terms).toHaveLength(0);
    expect(b.leaseHolder.status()).toMatchObject({ active: false, fencingToken: null });
    await a.stop();
    const takeover = await until('b term', () => b.terms.length === 1);
    expect(takeover).toBeLessThanOrEqual(TIMING.renewMs + 50);
    expect(b.terms[0].fence).toEqual({ lease: 'projector', token: 2 });
    await b.stop();
  });

  it('when the holder cannot renew, it steps down within the TTL and a standby takes over with the next token', async () => {
    const store = new InMemoryLeaseStore();
    const a = candidate(store, 'a');
    await until('a term', () => a.terms.length === 1);
    const b = candidate(store, 'b');
    store.unreachable.add('a');
    const cut = Date.now();
    await until('a steps down', () => a.terms[0].ended);
    expect(Date.now() - cut).toBeLessThanOrEqual(TIMING.ttlMs + TIMING.renewMs + 50);
    expect(a.ends).toEqual(['expired']);
    await until('b term', () => b.terms.length === 1);
    expect(Date.now() - cut).toBeLessThanOrEqual(TIMING.ttlMs + 2 * TIMING.renewMs + 50);
    expect(b.terms[0].fence?.token).toBe(2);
    store.unreachable.delete('a');
    await sleep(2 * TIMING.ttlMs);
    expect(a.terms).toHaveLength(1); // b renews: a stays a standby
    await Promise.all([a.stop(), b.stop()]);
  });

  it('when a renewal finds the lease taken by another, the term ends as lost and the work is aborted', async () => {
    const store = new InMemoryLeaseStore();
    const a = candidate(store, 'a');
    await until('a term', () => a.terms.length === 1);
    store.leases.set('projector', { holder: 'intruder', token: 2, expiresAt: Date.now() + 60_000 });
    await until('a term ends', () => a.terms[0].ended);
    expect(a.ends).toEqual(['lost']);
    expect(a.leaseHolder.status().active).toBe(false);
    await a.stop();
  });

  it('when the work ends on a refused write, the term ends as fenced and the holder stands by', async () => {
    const store = new InMemoryLeaseStore();
    const ends: TermEnd[] = [];
    const fenced: FencedError[] = [];
    const holder = new LeaseHolder(store, {
      name: 'relay:t',
      holder: 'a',
      ...TIMING,
      onTermEnd: (_token, end) => ends.push(end),
      onFenced: (error) => fenced.push(error),
    });
    const controller = new AbortController();
    let terms = 0;
    const running = holder.run(controller.signal, async (fence) => {
      terms++;
      store.leases.set('relay:t', { holder: 'b', token: fence!.token + 1, expiresAt: Date.now() + 60_000 });
      throw new FencedError('relay:t', fence!.token, fence!.token + 1);
    });
    await until('the fenced term', () => ends.length === 1);
    expect(ends).toEqual(['fenced']);
    expect(fenced).toHaveLength(1);
    expect(fenced[0]).toMatchObject({ lease: 'relay:t', token: 1, current: 2 });
    await sleep(2 * TIMING.renewMs);
    expect(terms).toBe(1); // the lease is b's: a stands by
    controller.abort();
    await running;
  });

  it('when the work fails, the lease is released for a standby at once', async () => {
    const store = new InMemoryLeaseStore();
    const errors: unknown[] = [];
    const failing = new LeaseHolder(store, {
      name: 'projector',
      holder: 'a',
      ...TIMING,
      onError: (error) => errors.push(error),
    });
    const controller = new AbortController();
    const running = failing.run(controller.signal, async () => {
      throw new Error('broken');
    });
    await until('the failure', () => errors.length > 0);
    expect(store.leases.get('projector')!.expiresAt).toBeLessThanOrEqual(Date.now());
    controller.abort();
    await running;
  });
});

describe('Unleased', () => {
  it('runs the work at once, unfenced, and is active while it runs', async () => {
    const unleased = new Unleased();
    const controller = new AbortController();
    let seen: Fence | null | undefined;
    const running = unleased.run(controller.signal, async (fence, term) => {
      seen = fence;
      await new Promise((resolve) => term.addEventListener('abort', resolve, { once: true }));
    });
    expect(seen).toBeNull();
    expect(unleased.status()).toEqual({ lease: null, holder: null, active: true, fencingToken: null });
    controller.abort();
    await running;
    expect(unleased.status().active).toBe(false);
  });
});
