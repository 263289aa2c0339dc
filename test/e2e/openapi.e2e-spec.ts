import { startTestApp, TestApp } from './support';

interface Header {
  description?: string;
  schema?: { pattern?: string };
}
interface Response {
  description: string;
  headers?: Record<string, Header>;
}
interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; description?: string; schema: { pattern?: string } }[];
  responses: Record<string, Response>;
  security?: unknown[];
}

/** The contract at /docs-json says what the API answers: its headers, its statuses, which routes need no token. */
describe('The OpenAPI document', () => {
  let testApp: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  let operations: [string, Operation][];
  beforeAll(async () => {
    testApp = await startTestApp({ env: { ACCORD_ROLES: 'api' } });
    paths = (await testApp.http().get('/docs-json').expect(200)).body.paths;
    operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as [string, Operation],
      ),
    );
  });
  afterAll(() => testApp.close());

  const COMMANDS = [
    '/v1/initiatives',
    '/v1/initiatives/{id}/sign-offs',
    '/v1/initiatives/{id}/change-requests',
    '/v1/initiatives/{id}/amendments',
    '/v1/initiatives/{id}/withdrawal',
    '/v1/initiatives/{id}/funding-decision',
  ];

  it('declares ETag on GET /v1/initiatives/{id}: the stream revision, quoted', () => {
    const etag = paths['/v1/initiatives/{id}'].get.responses['200'].headers?.ETag;
    expect(etag?.description).toMatch(/revision/);
    expect(new RegExp(etag?.schema?.pattern ?? '^$').test('"3"')).toBe(true);
    expect(new RegExp(etag?.schema?.pattern ?? '^$').test('3')).toBe(false);
  });

  it('declares Location on the 201 of POST /v1/initiatives', () => {
    expect(paths['/v1/initiatives'].post.responses['201'].headers).toHaveProperty('Location');
  });

  it('declares Retry-After on every 429 and 503, projection-lagging included', () => {
    const answers = operations.flatMap(([route, operation]) =>
      ['429', '503']
        .filter((status) => operation.responses[status])
        .map((status) => [`${route} ${status}`, operation.responses[status]] as const),
    );
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter(([, response]) => !response.headers?.['Retry-After']).map(([at]) => at)).toEqual(
      [],
    );
    expect(paths['/v1/initiatives/{id}'].get.responses['503'].description).toMatch(/projection-lagging/);
  });

  it('needs no token for the health routes and /metrics, and a bearer token for every route under /v1', () => {
    for (const path of ['/health/live', '/health/ready', '/metrics'])
      expect({ path, security: paths[path].get.security }).toEqual({ path, security: [] });
    for (const [route, operation] of operations.filter(([route]) => route.includes(' /v1/')))
      expect({ route, security: operation.security }).toEqual({ route, security: [{ bearer: [] }] });
  });

  it('declares 405 method-not-allowed with Allow on every route', () => {
    for (const [route, operation] of operations)
      expect({ route, allow: !!operation.responses['405']?.headers?.Allow }).toEqual({ route, allow: true });
  });

  it('declares 412 revision-mismatch, 415 unsupported-media-type and 500 stored-event-damaged on every command', () => {
    for (const path of COMMANDS) {
      const { responses } = paths[path].post;
      expect({ path, 412: responses['412']?.description, 415: responses['415']?.description }).toEqual({
        path,
        412: expect.stringMatching(/^revision-mismatch/),
        415: expect.stringMatching(/^unsupported-media-type/),
      });
      expect(responses['500']?.description).toMatch(/stored-event-damaged/);
      expect(responses['400']?.description).toMatch(/If-Match that is weak/);
    }
  });

  it("declares 500 stored-event-damaged on the routes that read an initiative's events", () => {
    for (const path of ['history', 'state', 'audit', 'audit-bundle'])
      expect(paths[`/v1/initiatives/{id}/${path}`].get.responses['500']?.description).toMatch(
        /^stored-event-damaged/,
      );
  });

  it('describes If-Match per RFC 9110: a quoted revision, or *', () => {
    for (const path of COMMANDS) {
      const ifMatch = paths[path].post.parameters?.find((parameter) => parameter.name === 'If-Match');
      expect(ifMatch?.description).toMatch(/RFC 9110/);
      expect(ifMatch?.description).toMatch(/\*/);
      const pattern = new RegExp(ifMatch?.schema.pattern ?? '^$');
      expect(['"3"', '*', '"0"'].every((value) => pattern.test(value))).toBe(true);
      expect(['W/"3"', '3', '"3", "4"', '**', ''].some((value) => pattern.test(value))).toBe(false);
    }
  });

  it('names every operation with a unique operationId', () => {
    const ids = operations.map(([, operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(paths['/v1/initiatives/{id}/sign-offs'].post.operationId).toBe('recordSignOff');
  });
});

describe('Readiness, as documented', () => {
  it('answers 503 with Retry-After when the event store is unreachable', async () => {
    const testApp = await startTestApp({ store: 'sqlite', env: { ACCORD_ROLES: 'api' } });
    try {
      await testApp.infrastructure.eventStore.close();
      const response = await testApp.http().get('/health/ready').expect(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await testApp.close();
    }
  });
});
