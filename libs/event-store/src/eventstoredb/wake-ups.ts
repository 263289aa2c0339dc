import { AllStreamResolvedEvent, AllStreamSubscription, END, streamNameFilter } from '@eventstore/db-client';
import { AppendWaiters } from '../append-waiters';
import { ClientHandle, EventStoreDbConnection } from './connection';
import { logPosition } from './event-codec';
import { GlobalLog } from './global-log';

interface WakeUpSubscription {
  stream: AllStreamSubscription;
  /** Settles true once the server confirmed it, false when it failed or went unconfirmed. */
  live: Promise<boolean>;
  connection: ClientHandle;
}

/**
 * `waitForAppend`: wakes on a filtered `subscribeToAll` from the end of `$all` (one per adapter, started
 * on first use, started again after it drops), and on this adapter's own appends (through the shared
 * `AppendWaiters`). The subscription is confirmed before the head is read, so an append landing in
 * between is seen either way. While no subscription is live (server away, subscription refused) it
 * looks at the head every `pollIntervalMs`.
 */
export class WakeUps {
  private subscription: WakeUpSubscription | null = null;
  /** Subscriptions that ended before the server confirmed them, in a row: the back-off before the next try. */
  private failedSubscriptions = 0;

  constructor(
    private readonly connection: EventStoreDbConnection,
    private readonly log: GlobalLog,
    private readonly waiters: AppendWaiters,
    private readonly pollIntervalMs: number,
  ) {
    connection.onReplaced((old) => {
      if (this.subscription?.connection === old) this.dropSubscription();
    });
  }

  /** Never throws, and never outlasts `timeoutMs`, even on a server that does not answer. */
  async waitForAppend(position: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.connection.closed || signal?.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
      timer = setTimeout(resolve, timeoutMs);
      signal?.addEventListener('abort', stop);
    });
    try {
      await Promise.race([this.waitUntil(position, Date.now() + timeoutMs, signal), stopped]);
    } catch {
      // Looking failed: the caller's next read will say why.
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }

  /** Ends the subscription; the connection is already closed, so no new one starts. */
  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.stream.unsubscribe().catch(() => undefined);
  }

  private async waitUntil(position: number, until: number, signal?: AbortSignal): Promise<void> {
    while (!this.connection.closed && !signal?.aborted) {
      const subscription = await this.subscribe();
      const head = await this.log.headPosition().catch(() => null);
      if (head !== null && head > position) return;
      const remaining = until - Date.now();
      if (remaining <= 0) return;
      // Trust the subscription to wake this wait only while it is still the current one and the
      // server answers; otherwise look again soon.
      const live = subscription !== null && subscription === this.subscription && head !== null;
      const sleep = live ? remaining : Math.min(remaining, this.pollIntervalMs, this.resubscribeDelay());
      await this.waiters.wait(position, head ?? 0, sleep, signal);
    }
  }

  /** The wake-up subscription once the server confirmed it; starts one if none runs; null when none is live. */
  private async subscribe(): Promise<WakeUpSubscription | null> {
    const current = this.subscription ?? this.startSubscription();
    if (!current) return null;
    return (await current.live) ? current : null;
  }

  private startSubscription(): WakeUpSubscription | null {
    if (this.connection.closed) return null;
    const connection = this.connection.handle;
    const stream = connection.client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({ prefixes: [...this.log.streamPrefixes] }),
    });
    let settle: (live: boolean) => void = () => undefined;
    const entry: WakeUpSubscription = {
      stream,
      connection,
      live: new Promise<boolean>((resolve) => (settle = resolve)),
    };
    const timer = setTimeout(() => ended(), this.connection.timeoutMs);
    let over = false;
    const ended = () => {
      // Dropped (server away or restarted), or never confirmed: followers look again, and the next
      // wait subscribes anew. A failed stream reports both `error` and `close`: one failure counts once.
      if (over) return;
      over = true;
      clearTimeout(timer);
      settle(false);
      if (!confirmed) this.failedSubscriptions += 1;
      if (this.subscription === entry) this.dropSubscription();
      this.waiters.wakeAll();
    };
    let confirmed = false;
    stream.once('confirmation', () => {
      confirmed = true;
      this.failedSubscriptions = 0;
      clearTimeout(timer);
      settle(true);
    });
    stream.on('data', (resolved: AllStreamResolvedEvent) => {
      if (resolved.event?.position) this.waiters.notify(logPosition(resolved.event.position));
    });
    stream.on('error', ended);
    stream.once('end', ended);
    stream.once('close', ended);
    this.subscription = entry;
    return entry;
  }

  /** 50 ms after the first failed subscription, doubling up to 5 s. */
  private resubscribeDelay(): number {
    return Math.min(5_000, 50 * 2 ** Math.min(this.failedSubscriptions, 7));
  }

  private dropSubscription(): void {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) void subscription.stream.unsubscribe().catch(() => undefined);
  }
}
