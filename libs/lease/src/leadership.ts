import { Fence, FencedError } from './fence';
import { LeaseStore } from './lease-store';

/** Work that runs while this process is the active one: `fence` to give every write, `term` aborts when it ends. */
export type ActiveWork = (fence: Fence | null, term: AbortSignal) => Promise<void>;

export interface LeadershipStatus {
  /** The lease competed for; null when the process runs without one (the embedded default). */
  lease: string | null;
  holder: string | null;
  active: boolean;
  fencingToken: number | null;
}

/** Decides when a background part (the projector, the relay) runs in this process. */
export interface Leadership {
  status(): LeadershipStatus;
  /** Runs `work` whenever this process is the active one, until `signal` aborts. */
  run(signal: AbortSignal, work: ActiveWork): Promise<void>;
}

/** Without a lease (one process, SQLite): always active, unfenced. */
export class Unleased implements Leadership {
  private running = false;

  status(): LeadershipStatus {
    return { lease: null, holder: null, active: this.running, fencingToken: null };
  }

  async run(signal: AbortSignal, work: ActiveWork): Promise<void> {
    this.running = true;
    try {
      await work(null, signal);
    } finally {
      this.running = false;
    }
  }
}

/** Why a term of holding the lease ended. */
export type TermEnd =
  /** This process stops: the lease was let go at once, for a standby to take. */
  | 'released'
  /** A renewal found that another process acquired the lease. */
  | 'lost'
  /** No renewal succeeded for a whole TTL (the store unreachable, or this process paused): it stepped down. */
  | 'expired'
  /** A write was refused: the lease's fencing token had moved on. */
  | 'fenced'
  /** The work stopped by itself (it failed): the lease was let go, for a standby to take. */
  | 'failed';

export interface LeaseHolderOptions {
  name: string;
  /** Who this process is, unique among the candidates (host, pid and a random part). */
  holder: string;
  /** How long an acquisition or renewal holds the lease. */
  ttlMs: number;
  /** How often the holder renews it; a standby tries to acquire it twice as often. */
  renewMs: number;
  onAcquired?(token: number): void;
  onTermEnd?(token: number, end: TermEnd): void;
  /** The work ended on a write the fence refused. */
  onFenced?(error: FencedError): void;
  /** The store did not answer an acquisition or renewal, or the work failed. */
  onError?(error: unknown): void;
}

/**
 * Competes for a lease and runs the work while it holds it: a standby tries to acquire the lease every `renewMs / 2`
 * (so that it takes over within half an interval of the expiry); once it has it, it starts the work with the lease's fencing token and renews every `renewMs`. The term ends when a
 * renewal finds the lease taken, when no renewal succeeded for `ttlMs` (measured on this process's clock from when the
 * last successful renewal was sent, so it steps down no later than the lease expires), when the work's write is
 * refused by the fence, or when the process stops (the lease is then released for a standby to take at once). The
 * work is aborted and awaited before anything else happens. Safety never depends on these timings: writes are fenced.
 * The store is the holder's own: closed when `run` ends.
 */
export class LeaseHolder implements Leadership {
  private token: number | null = null;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeaseHolderOptions,
  ) {}

  status(): LeadershipStatus {
    return {
      lease: this.options.name,
      holder: this.options.holder,
      active: this.token !== null,
      fencingToken: this.token,
    };
  }

  async run(signal: AbortSignal, work: ActiveWork): Promise<void> {
    try {
      while (!signal.aborted) {
        const acquiring = Date.now();
        const token = await this.tryAcquire();
        if (token !== null && (await this.serve(token, acquiring, signal, work)) === 'released') return;
        await pause(this.options.renewMs / 2, signal);
      }
    } finally {
      await this.store.close().catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private async tryAcquire(): Promise<number | null> {
    try {
      return await this.store.acquire(this.options.name, this.options.holder, this.options.ttlMs);
    } catch (error) {
      this.options.onError?.(error);
      return null;
    }
  }

  private async serve(
    token: number,
    acquiredAt: number,
    signal: AbortSignal,
    work: ActiveWork,
  ): Promise<TermEnd> {
    const { name, holder, ttlMs, renewMs } = this.options;
    this.token = token;
    this.options.onAcquired?.(token);
    const term = new AbortController();
    const endTerm = () => term.abort();
    signal.addEventListener('abort', endTerm, { once: true });
    const outcome: { finished: boolean; error: unknown } = { finished: false, error: null };
    const working = work({ lease: name, token }, term.signal).then(
      () => void (outcome.finished = true),
      (error: unknown) => void Object.assign(outcome, { finished: true, error }),
    );

    let confirmedAt = acquiredAt;
    let end: TermEnd;
    for (;;) {
      await Promise.race([working, pause(renewMs, signal)]);
      // Stopping ends the work too: the process stopping decides, unless a write was refused.
      if (outcome.finished || signal.aborted) {
        end = outcome.error instanceof FencedError ? 'fenced' : signal.aborted ? 'released' : 'failed';
        break;
      }
      if (Date.now() - confirmedAt >= ttlMs) {
        end = 'expired';
        break;
      }
      const renewing = Date.now();
      try {
        if (!(await this.store.renew(name, holder, token, ttlMs))) {
          end = 'lost';
          break;
        }
        confirmedAt = renewing;
      } catch (error) {
        this.options.onError?.(error);
      }
    }

    signal.removeEventListener('abort', endTerm);
    term.abort();
    await working;
    const { error } = outcome;
    this.token = null;
    if (error instanceof FencedError) this.options.onFenced?.(error);
    else if (error !== null) this.options.onError?.(error);
    if (end === 'released' || end === 'failed' || end === 'expired')
      await this.store
        .release(name, holder, token)
        .catch((failure: unknown) => this.options.onError?.(failure));
    this.options.onTermEnd?.(token, end);
    return end;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
