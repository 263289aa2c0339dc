import { capturedLog, startTestApp, TestApp } from './support';

/** What the API writes to its log: never a secret sent in a URL. */
describe('The log', () => {
  let testApp: TestApp;
  const log = capturedLog('info');
  const linesOf = (reqId: string) => log.lines().filter((line) => line.reqId === reqId);

  beforeAll(async () => {
    testApp = await startTestApp({ logger: log.logger });
  });
  afterAll(async () => testApp.close());

  describe('of a URL with a token or a secret in its query', () => {
    it('keeps the query, with every secret redacted', async () => {
      const token = await testApp.token('auditor');
      const [, , signature] = token.split('.');
      const sent = [
        `access_token=${token}`,
        `token=opaque-session-secret-1234`,
        `Access%5FToken=another-opaque-secret-5678`,
        `id_token=${token}`,
        `api_key=key-that-is-a-secret-9012`,
        `next=${encodeURIComponent(`https://example.org/?t=${token}`)}`,
        `anything=${token}`,
        'limit=5',
      ];
      await testApp
        .http()
        .get(`/v1/initiatives?${sent.join('&')}`)
        .set('x-correlation-id', 'query-secrets')
        .set('authorization', testApp.auth('auditor'));

      const lines = linesOf('query-secrets');
      const incoming = lines.find((line) => line.msg === 'incoming request') as { req: { url: string } };
      expect(incoming.req.url).toMatch(/^\/v1\/initiatives\?/);
      expect(incoming.req.url).toContain('limit=5');
      expect(incoming.req.url).toContain('access_token=[redacted]');
      const text = JSON.stringify(lines);
      for (const secret of [
        token,
        signature,
        'opaque-session-secret-1234',
        'another-opaque-secret-5678',
        'key-that-is-a-secret-9012',
      ])
        expect(text).not.toContain(secret);
    });
  });
});
