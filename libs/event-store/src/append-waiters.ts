/** Wakes readers of the global log when an append moves its head past their position. */
export class AppendWaiters {
  private waiters = new Set<{ position: number; wake: () => void }>();

  notify(head: number): void {
    for (const waiter of this.waiters) if (head > waiter.position) waiter.wake();
  }

  wait(position: number, head: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (head > position || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        position,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.wake);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      signal?.addEventListener('abort', waiter.wake);
      this.waiters.add(waiter);
    });
  }

  wakeAll(): void {
    for (const waiter of this.waiters) waiter.wake();
  }
}
