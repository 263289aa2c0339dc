import { createServer, Server } from 'node:http';
import { AccordMetrics } from './metrics';

export interface OpsCheck {
  name: string;
  /** A critical check failing makes the process not ready. */
  critical: boolean;
  run(): Promise<Record<string, unknown> | void>;
}

export async function runChecks(
  checks: readonly OpsCheck[],
): Promise<{ ready: boolean; body: Record<string, unknown> }> {
  const results = await Promise.all(
    checks.map(async (check) => {
      try {
        return [
          check.name,
          { status: 'up', critical: check.critical, ...((await check.run()) ?? {}) },
        ] as const;
      } catch {
        return [check.name, { status: 'down', critical: check.critical }] as const;
      }
    }),
  );
  const ready = results.every(([, result]) => !result.critical || result.status === 'up');
  return { ready, body: { status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) } };
}

/** /health/live, /health/ready and /metrics for the processes that serve no API (projector, relay). */
export function startOpsServer(options: {
  host: string;
  port: number;
  checks: readonly OpsCheck[];
  metrics: AccordMetrics;
}): Promise<Server> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return reply(405, JSON.stringify({ status: 405 }));
    if (path === '/health/live') return reply(200, JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready')
      return void runChecks(options.checks).then(({ ready, body }) =>
        reply(ready ? 200 : 503, JSON.stringify(body)),
      );
    if (path === '/metrics')
      return void options.metrics.registry
        .metrics()
        .then((text) => reply(200, text, options.metrics.registry.contentType));
    return reply(404, JSON.stringify({ status: 404 }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
