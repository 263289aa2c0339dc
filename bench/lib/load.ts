import autocannon from 'autocannon';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  /** Seconds the run took. */
  duration: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Successful responses per second. */
  rate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/**
 * Drives one server with autocannon: `connections` keep-alive connections, each sending the next request from
 * `next()` as soon as its previous one was answered. Stops after `amount` requests, or after `duration` seconds.
 */
export async function runLoad(options: {
  url: string;
  connections: number;
  amount?: number;
  duration?: number;
  next?: () => LoadRequest;
  request?: LoadRequest;
  timeoutSeconds?: number;
}): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  let lastResponseAt = 0;
  const count = (status: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    lastResponseAt = performance.now();
  };
  const fixed = options.request ?? { method: 'GET', path: '/' };
  const requests = options.next
    ? [
        {
          setupRequest: (request: Record<string, unknown>) => {
            const next = (options.next as () => LoadRequest)();
            return {
              ...request,
              method: next.method,
              path: next.path,
              headers: { ...(request.headers as object), ...next.headers },
              body: next.body,
            };
          },
          onResponse: (status: number) => count(status),
        },
      ]
    : [{ ...fixed, onResponse: (status: number) => count(status) }];
  const startedAt = performance.now();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
    timeout: options.timeoutSeconds ?? 30,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    requests: requests as any,
  });
  const ok2xx = Object.entries(statuses)
    .filter(([status]) => status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  const answered = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  // autocannon ends a run only at its next whole-second tick after the last response, and reports that as the
  // duration: a run of `amount` requests is timed from the start to its last response instead.
  const duration = options.amount ? (lastResponseAt - startedAt) / 1000 : Number(result.duration);
  return {
    duration,
    statuses,
    ok2xx,
    non2xx: answered - ok2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rate: ok2xx / duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
  };
}
