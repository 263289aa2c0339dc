import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { capturedLog, startTestApp, TestApp } from './support';

/** What the API writes to its log: never a secret sent in a URL, and no error with a stack for a client gone. */
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

  describe('of a body the client abandons half-way', () => {
    /** Sends headers announcing 1000 bytes and 21 of them, then destroys the socket or closes its sending side. */
    async function abandon(reqId: string, how: 'destroy' | 'end'): Promise<string> {
      const server = testApp.app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      let answer = '';
      socket.on('data', (chunk) => (answer += String(chunk)));
      socket.on('error', () => undefined);
      socket.write(
        [
          'POST /v1/initiatives HTTP/1.1',
          'Host: 127.0.0.1',
          'Content-Type: application/json',
          'Content-Length: 1000',
          `X-Correlation-Id: ${reqId}`,
          `Authorization: ${testApp.auth('secretariat')}`,
          '',
          '{"title": "Pan-Turkic',
        ].join('\r\n'),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (how === 'destroy') socket.destroy();
      else socket.end();
      // Whatever the server logs or answers comes within moments of the socket closing.
      const deadline = Date.now() + 3000;
      while (linesOf(reqId).length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      return answer;
    }

    it.each([['destroy'], ['end']] as const)(
      'is logged at info level without a stack, never as an internal error (socket.%s())',
      async (how) => {
        const answer = await abandon(`abandoned-body-${how}`, how);
        const lines = linesOf(`abandoned-body-${how}`);
        expect(lines.map((line) => line.msg)).toContain('request body abandoned by the client');
        for (const line of lines) {
          expect(line.level).toBeLessThan(40);
          expect(JSON.stringify(line)).not.toMatch(/"stack"|internal-error/);
        }
        expect(log.lines().filter((line) => (line.level as number) >= 40)).toEqual([]);
        // A client still listening gets an answer: not a 500.
        if (how === 'end') expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      },
    );
  });
});
