import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { HttpClient, HttpResponse } from '../reliability/support/http';
import { seededRandom } from '../reliability/support/random';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  n,
  removeDir,
  scale,
  SECRET,
  secondsSince,
  startServer,
} from '../reliability/support/server';
import { StoreReader } from '../reliability/support/store';
import { Fixtures, garbageAuthorizations, makeFixtures, principalTokens } from './support/fixtures';
import { responseLeaks, scanLog, securityHeaderProblems } from './support/leaks';
import {
  applyMutations,
  contentTypeArbitrary,
  FuzzContext,
  headerSafe,
  idempotencyKeyArbitrary,
  ifMatchArbitrary,
  Mutation,
  mutationArbitrary,
  ODD_KEYS,
  oddValue,
  OpenApiDocument,
  Operation,
  operationsOf,
  pathIdArbitrary,
  RawMutation,
  rawMutationArbitrary,
  serialise,
  validArbitrary,
} from './support/openapi-fuzz';

jest.setTimeout(1_800_000);

/** Refusals by a domain rule: an Idempotency-Key answers them for good. */
const DECIDED_REFUSALS = new Set([
  'validation-failed',
  'forbidden',
  'not-found',
  'invalid-status',
  'stale-proposal-version',
  'already-signed',
  'deadline-passed',
  'already-exists',
]);

const REQUESTS_PER_ROUTE = scale(5_000, 320);
const CONCURRENCY = 16;
const BATCH = 64;
const PROBLEM_CODES = new Set([
  'validation-failed',
  'signature-required',
  'invalid-signature',
  'unauthenticated',
  'forbidden',
  'not-found',
  'invalid-status',
  'stale-proposal-version',
  'already-signed',
  'deadline-passed',
  'already-exists',
  'revision-mismatch',
  'idempotency-key-reused',
  'payload-too-large',
  'unsupported-media-type',
  'method-not-allowed',
  'too-many-requests',
  'headers-too-large',
  'projection-lagging',
  'unavailable',
]);

interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  who: string;
  headers: Record<string, string>;
  body?: Buffer;
  contentType?: string | null;
  labels: string[];
}

interface Sent {
  request: FuzzRequest;
  response: HttpResponse | null;
  error?: string;
}

/** A query-string value, percent-encoded; a lone surrogate becomes the (invalid) UTF-8 of a surrogate. */
function encodeLoose(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return [...text]
    .map((char) => (/[\ud800-\udfff]/.test(char) ? '%ED%A0%80' : encodeURIComponent(char)))
    .join('');
}

/**
 * S1 (quality.md): a fuzzer driven by the OpenAPI document the server serves (GET /docs-json) sends at least
 * 5,000 generated requests to every route of it (320 in the quick variant) — valid bodies from the schemas, then
 * mutated: missing and unknown fields, wrong types, huge strings and arrays, odd unicode (lone surrogates, RTL,
 * zero-width, NUL), bad JSON, wrong content types, huge and negative numbers, deep nesting, prototype-polluting
 * keys; with valid tokens of every role, and without. It must get no response ≥ 500, a problem+json body for
 * every error, and no stored change from a refused request: every event appended while it runs must belong to a
 * request answered 2xx (by its correlation id), and no batch of refused requests may move the log's head. An
 * idempotency record may be added only with the answer its request got: an accepted command's, or a refusal by a
 * domain rule (which the key answers for good); a request refused before deciding leaves none.
 *
 * S5 rides along: the server runs with LOG_LEVEL=debug; no response carries a stack frame, SQL or the secret,
 * every response carries the security headers, and no log line carries the secret or a token sent.
 */
describe('S1: OpenAPI-driven fuzzing of every route', () => {
  const dataDir = freshDataDir('s1');
  const random = seededRandom('s1');
  let server: AccordServer;
  let client: HttpClient;
  let document: OpenApiDocument;
  let fixtures: Fixtures;
  let tokens: Record<string, string>;
  let authorizations: Record<string, string | undefined>;
  const sentAll: Sent[] = [];
  let fuzzRan = false;
  let serverErrorCauses: string[] = [];
  let nonProblemAnswers: string[] = [];

  beforeAll(async () => {
    server = await startServer({ dataDir, logLevel: 'debug' });
    client = new HttpClient(server.url, CONCURRENCY);
    document = (await client.get('/docs-json')).body;
    fixtures = await makeFixtures(client);
    tokens = await principalTokens();
    authorizations = { none: undefined };
    for (const [label, token] of Object.entries(tokens)) authorizations[label] = `Bearer ${token}`;
    garbageAuthorizations(tokens.secretariat).forEach(
      (value, index) => (authorizations[`garbage-${index}`] = value),
    );
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    await killAllStarted();
    removeDir(dataDir);
  });

  function requestArbitrary(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
    const route = `${operation.method} ${operation.path}`;
    const queryParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    const labels = Object.keys(authorizations);
    const who = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...labels.filter((label) => !label.startsWith('garbage'))) },
      { weight: 2, arbitrary: fc.constantFrom(...labels.filter((label) => label.startsWith('garbage'))) },
    );
    const queryValue = (name: string, schema: Parameters<typeof validArbitrary>[0]) =>
      fc.oneof(
        { weight: 4, arbitrary: validArbitrary(schema, document, context, name) },
        { weight: 2, arbitrary: oddValue },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'x'.repeat(5000),
            '-1',
            '0',
            '201',
            '1e2',
            '99999999999999999999',
            '%',
            '%ZZ',
          ),
        },
      );
    const query = fc
      .tuple(
        fc.tuple(
          ...queryParameters.map((parameter) =>
            fc.option(
              fc.tuple(queryValue(parameter.name, parameter.schema), fc.nat(9)).map(([value, dice]) => {
                const encoded = `${encodeURIComponent(parameter.name)}=${encodeLoose(value)}`;
                return dice === 0 ? `${encoded}&${encoded}` : encoded; // a repeated parameter, one time in ten
              }),
              { freq: 2 },
            ),
          ),
        ),
        fc.option(
          fc
            .tuple(
              fc.constantFrom(
                ...ODD_KEYS,
                'limit[a]',
                'status[]',
                'a',
                '__proto__[x]',
                'constructor[prototype][y]',
              ),
              oddValue,
            )
            .map(([key, value]) => `${encodeLoose(key)}=${encodeLoose(value)}`),
          { freq: 8 },
        ),
      )
      .map(([known, unknown]) => [...known, unknown].filter((part): part is string => !!part).join('&'));
    const body: fc.Arbitrary<{ body?: Buffer; labels: string[]; contentType?: string | null }> = bodySchema
      ? fc
          .tuple(
            validArbitrary(bodySchema, document, context),
            fc.oneof(
              { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
              { weight: 3, arbitrary: fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }) },
            ),
            rawMutationArbitrary,
            contentTypeArbitrary,
          )
          .map(([valid, mutations, raw, contentType]: [unknown, Mutation[], RawMutation, string | null]) => {
            const mutated = applyMutations(valid, mutations);
            const serialised = serialise(mutated.value, raw);
            return {
              body: serialised.body,
              labels: [...mutated.labels, ...(serialised.label ? [serialised.label] : [])],
              contentType,
            };
          })
      : fc.oneof(
          {
            weight: 30,
            arbitrary: fc.constant<{ body?: Buffer; labels: string[]; contentType?: string | null }>({
              labels: [],
            }),
          },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('{}', '{"a":1}', 'not json')
              .map((text): { body?: Buffer; labels: string[]; contentType?: string | null } => ({
                body: Buffer.from(text),
                labels: [`a ${operation.method} body ${text}`],
                contentType: 'application/json',
              })),
          },
        );
    return fc
      .record({
        who,
        id: pathIdArbitrary(context),
        query,
        body,
        idempotencyKey: operation.method === 'POST' ? idempotencyKeyArbitrary : fc.constant(undefined),
        ifMatch: operation.method === 'POST' ? ifMatchArbitrary : fc.constant(undefined),
        method: fc.oneof(
          { weight: 40, arbitrary: fc.constant(operation.method) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'GET', 'POST'),
          },
        ),
        accept: fc.oneof(
          { weight: 10, arbitrary: fc.constant('application/json') },
          { weight: 1, arbitrary: fc.constantFrom('text/html', '*/*', 'application/xml', '') },
        ),
      })
      .map(
        ({ who: label, id, query: queryString, body: payload, idempotencyKey, ifMatch, method, accept }) => {
          const headers: Record<string, string> = { accept };
          const authorization = authorizations[label];
          if (authorization !== undefined) headers.authorization = authorization;
          if (idempotencyKey !== undefined) headers['idempotency-key'] = headerSafe(idempotencyKey);
          if (ifMatch !== undefined) headers['if-match'] = ifMatch;
          const path = operation.path.replace('{id}', id);
          return {
            route,
            method,
            path: queryString ? `${path}?${queryString}` : path,
            who: label,
            headers,
            body: payload.body,
            contentType: payload.contentType,
            labels: [
              ...(method !== operation.method ? [`method ${method}`] : []),
              ...payload.labels,
              ...(idempotencyKey !== undefined ? ['idempotency key'] : []),
              ...(ifMatch !== undefined ? [`If-Match ${ifMatch}`] : []),
            ],
          };
        },
      );
  }

  const describeRequest = (request: FuzzRequest) =>
    `${request.method} ${request.path.slice(0, 160)} as ${request.who}` +
    `${request.contentType !== undefined ? ` [${request.contentType}]` : ''}` +
    `${request.body ? ` body ${JSON.stringify(request.body.toString('utf8').slice(0, 160))}` : ''}` +
    `${request.labels.length > 0 ? ` (${request.labels.join('; ')})` : ''}`;

  it(`sends ${n(REQUESTS_PER_ROUTE)} generated requests to every route: no stored change from a refusal, no leak`, async () => {
    const started = Date.now();
    const operations = operationsOf(document);
    const context: FuzzContext = { ids: fixtures.ids, cursors: fixtures.cursors };
    const store = new StoreReader(dataDir);
    const keysOf = () => store.idempotencyKeySet();
    const perRoute = new Map<string, { sent: number; statuses: Map<number, number>; ms: number }>();
    const lagging: Sent[] = [];
    const serverErrors: Sent[] = [];
    const notProblems: Sent[] = [];
    const undocumented = new Map<string, number>();
    const leakProblems: string[] = [];
    const headerProblems = new Map<string, { count: number; example: string }>();
    const storeProblems: string[] = [];
    const networkErrors: Sent[] = [];
    let refusedBatches = 0;
    let accepted = 0;
    let attributed = 0;
    let correlation = 0;
    let reconnected = 0;

    for (const operation of operations) {
      const route = `${operation.method} ${operation.path}`;
      const requests = fc.sample(requestArbitrary(operation, context), {
        numRuns: REQUESTS_PER_ROUTE,
        seed: random.seed + operations.indexOf(operation),
      });
      const routeStarted = Date.now();
      const stats = { sent: 0, statuses: new Map<number, number>(), ms: 0 };
      perRoute.set(route, stats);
      const documented = new Set(
        Object.keys(
          (document.paths[operation.path] as Record<string, { responses: object }>)[
            operation.method.toLowerCase()
          ].responses,
        ).map(Number),
      );

      // Commands in batches of 64 between two looks at the store; reads (which a minRevision may hold for 5 s)
      // in one batch per route, so that a slow one does not hold up the others.
      const batchSize = operation.method === 'GET' ? requests.length : BATCH;
      for (let from = 0; from < requests.length; from += batchSize) {
        const batch = requests.slice(from, from + batchSize);
        const headBefore = store.head();
        const keysBefore = keysOf();
        const results: Sent[] = new Array(batch.length);
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < batch.length) {
              const index = next++;
              const request = batch[index];
              request.headers['x-correlation-id'] = `fz-${++correlation}`;
              try {
                const response = await client.request(request.method, request.path, {
                  headers: request.headers,
                  raw: request.body,
                  contentType: request.contentType,
                  timeoutMs: 30_000,
                });
                results[index] = { request, response };
              } catch (error) {
                // A pooled keep-alive connection the server had just closed (after a 413, say) fails on reuse:
                // such a request is sent once more on a connection of its own, and only then counted as lost.
                reconnected++;
                try {
                  const response = await client.request(request.method, request.path, {
                    headers: request.headers,
                    raw: request.body,
                    contentType: request.contentType,
                    timeoutMs: 30_000,
                    freshConnection: true,
                  });
                  results[index] = { request, response };
                } catch {
                  results[index] = { request, response: null, error: String(error) };
                }
              }
            }
          }),
        );
        sentAll.push(...results);

        const byCorrelation = new Map<string, Sent>();
        for (const sent of results) {
          stats.sent++;
          const { request, response } = sent;
          if (!response) {
            networkErrors.push(sent);
            continue;
          }
          stats.statuses.set(response.status, (stats.statuses.get(response.status) ?? 0) + 1);
          const id = response.headers['x-correlation-id'];
          if (typeof id === 'string') byCorrelation.set(id, sent);
          // 503 projection-lagging is api.md's answer to a minRevision the read model has not reached in 5 s
          // (an answer to HEAD has no body to name it: its Retry-After does).
          const lags =
            response.body?.code === 'projection-lagging' ||
            (request.method === 'HEAD' && response.headers['retry-after'] !== undefined);
          if (response.status === 503 && lags) lagging.push(sent);
          else if (response.status >= 500) serverErrors.push(sent);
          if (response.status < 300) accepted++;
          const isProblem =
            /^application\/problem\+json/.test(String(response.headers['content-type'])) &&
            response.body?.status === response.status &&
            PROBLEM_CODES.has(response.body?.code) &&
            response.body?.type === `urn:accord:problem:${response.body?.code}`;
          if (response.status >= 400 && response.status < 500 && request.method !== 'HEAD' && !isProblem)
            notProblems.push(sent);
          if (
            !documented.has(response.status) &&
            request.method === operation.method &&
            response.status !== 404
          )
            undocumented.set(
              `${route} ${response.status}`,
              (undocumented.get(`${route} ${response.status}`) ?? 0) + 1,
            );
          const authorization = request.headers.authorization;
          const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : null;
          for (const problem of responseLeaks(response, [SECRET], token, describeRequest(request)))
            leakProblems.push(`${problem}: ${describeRequest(request)}`);
          const missing = securityHeaderProblems(request.path, response);
          if (missing.length > 0) {
            const key = `${response.status} ${String(response.body?.code ?? '')}: ${missing.join(', ')}`;
            const entry = headerProblems.get(key) ?? { count: 0, example: describeRequest(request) };
            entry.count++;
            headerProblems.set(key, entry);
          }
        }

        // Every event appended during the batch belongs to a request that was answered 2xx.
        const appended = store.eventsAfter(headBefore);
        for (const event of appended) {
          if (event.correlationId?.startsWith('expire-')) continue; // the deadline scheduler
          const origin = event.correlationId ? byCorrelation.get(event.correlationId) : undefined;
          if (origin?.response && origin.response.status < 300) attributed++;
          else
            storeProblems.push(
              `${event.type} at revision ${event.revision} of ${event.initiativeId} stored by ` +
                `${origin ? `a ${origin.response?.status ?? 'failed'} request: ${describeRequest(origin.request)}` : `an unknown request (${event.correlationId})`}`,
            );
        }
        const answers = store.idempotencyAnswers();
        const newKeys = [...answers.keys()].filter((key) => !keysBefore.has(key));
        for (const key of newKeys) {
          const remembered = answers.get(key) as { status: number; body: string };
          const [, idempotencyKey] = key.split('\u0000');
          const given = results.filter(
            (sent) =>
              sent.response &&
              // A field value reaches the server without its surrounding spaces and tabs (RFC 9110 §5.5).
              sent.request.headers['idempotency-key']?.replace(/^[ \t]+|[ \t]+$/g, '') === idempotencyKey &&
              sent.response.status === remembered.status &&
              isDeepStrictEqual(sent.response.body, JSON.parse(remembered.body)),
          );
          if (given.length === 0)
            storeProblems.push(
              `an idempotency record (${remembered.status}) that no request of the batch was answered with: ${remembered.body.slice(0, 120)}`,
            );
          else if (remembered.status >= 400 && !DECIDED_REFUSALS.has(JSON.parse(remembered.body).code))
            storeProblems.push(
              `a refusal before deciding remembered under its key: ${remembered.body.slice(0, 120)}`,
            );
        }
        if (results.every((sent) => !sent.response || sent.response.status >= 300)) {
          refusedBatches++;
          const own = appended.filter((event) => !event.correlationId?.startsWith('expire-'));
          if (own.length > 0)
            storeProblems.push(
              `a batch of ${results.length} refused requests moved the head by ${own.length}`,
            );
        }
      }
      stats.ms = Date.now() - routeStarted;
    }
    store.close();

    // Server errors, grouped by what the server logged for them (its log has the request's correlation id).
    const logged = new Map<string, string>();
    for (const line of readFileSync(server.logFile, 'utf8').split('\n')) {
      if (!line.includes('"level":50')) continue;
      try {
        const entry = JSON.parse(line) as {
          reqId?: string;
          err?: { type?: string; message?: string; stack?: string };
        };
        const frame =
          entry.err?.stack
            ?.split('\n')
            .find((text) => text.includes('/dist/'))
            ?.trim() ?? '';
        if (entry.reqId) logged.set(entry.reqId, `${entry.err?.type}: ${entry.err?.message} ${frame}`);
      } catch {
        // not a JSON line
      }
    }
    const causes = new Map<string, { count: number; example: string }>();
    for (const sent of serverErrors) {
      const id = String(sent.response?.headers['x-correlation-id']);
      const cause = `${sent.request.route} → ${logged.get(id) ?? 'nothing logged'}`;
      const entry = causes.get(cause) ?? { count: 0, example: describeRequest(sent.request) };
      entry.count++;
      causes.set(cause, entry);
    }
    const nonProblemKinds = new Map<string, { count: number; example: string }>();
    for (const sent of notProblems) {
      const kind =
        `${sent.response?.status} ${sent.response?.headers['content-type']} ${sent.response?.text.slice(0, 60)}`.replace(
          /'[^']*'/g,
          "'…'",
        );
      const entry = nonProblemKinds.get(kind.slice(0, 120)) ?? {
        count: 0,
        example: describeRequest(sent.request),
      };
      entry.count++;
      nonProblemKinds.set(kind.slice(0, 120), entry);
    }

    const total = [...perRoute.values()].reduce((sum, route) => sum + route.sent, 0);
    console.log(
      [
        `S1 (seed ${random.seed}): ${n(total)} generated requests over ${perRoute.size} routes of /docs-json in ${secondsSince(started)} s ` +
          `(${n(Math.round(total / ((Date.now() - started) / 1000)))}/s):`,
        ...[...perRoute].map(
          ([route, stats]) =>
            `  ${route.padEnd(46)} ${n(stats.sent)} sent in ${(stats.ms / 1000).toFixed(1)} s: ${[
              ...stats.statuses,
            ]
              .sort(([a], [b]) => a - b)
              .map(([status, count]) => `${status}×${n(count)}`)
              .join(' ')}`,
        ),
        `  responses ≥ 500: ${n(serverErrors.length)}${causes.size > 0 ? ', by cause:' : ''}` +
          ` (besides ${n(lagging.length)} × 503 projection-lagging for a minRevision not reached in 5 s)`,
        ...[...causes].map(
          ([cause, { count, example }]) => `    ${n(count)} × ${cause}\n      e.g. ${example}`,
        ),
        `  errors that are not problem+json: ${n(notProblems.length)}${nonProblemKinds.size > 0 ? ':' : ''}`,
        ...[...nonProblemKinds].map(
          ([kind, { count, example }]) => `    ${n(count)} × ${kind}\n      e.g. ${example}`,
        ),
        `  sent again on a fresh connection after a pooled one failed: ${reconnected}; network errors (no answer twice): ${networkErrors.length}${networkErrors.length > 0 ? ` e.g. ${networkErrors[0].error} for ${describeRequest(networkErrors[0].request)}` : ''}`,
        `  stored changes: ${n(accepted)} requests answered 2xx; every appended event traced to one of them: ` +
          `${n(attributed)} events, ${storeProblems.length} problems; ${n(refusedBatches)} batches of only refused requests left the head and the idempotency records unchanged`,
        `  statuses not in the OpenAPI document: ${[...undocumented].map(([key, count]) => `${key}×${count}`).join(', ') || 'none'}`,
        `  S5: ${leakProblems.length} responses leaking a stack frame, SQL, the secret or a token; ` +
          `responses missing security headers: ${n([...headerProblems.values()].reduce((sum, { count }) => sum + count, 0))}`,
        ...[...headerProblems].map(
          ([problem, { count, example }]) => `    ${n(count)} × ${problem}\n      e.g. ${example}`,
        ),
      ].join('\n'),
    );
    fuzzRan = true;
    serverErrorCauses = [...causes].map(
      ([cause, { count, example }]) => `${count} × ${cause} e.g. ${example}`,
    );
    nonProblemAnswers = [
      ...[...nonProblemKinds].map(([kind, { count, example }]) => `${count} × ${kind} e.g. ${example}`),
      ...[...headerProblems].map(([problem, { count, example }]) => `${count} × ${problem} e.g. ${example}`),
    ];
    expect(storeProblems.slice(0, 20)).toEqual([]);
    expect(
      networkErrors.map((sent) => `${sent.error}: ${describeRequest(sent.request)}`).slice(0, 10),
    ).toEqual([]);
    expect(leakProblems.slice(0, 20)).toEqual([]);
  });

  it('no generated request gets a response ≥ 500 (deep nesting and 1e999 included)', () => {
    expect(fuzzRan).toBe(true);
    expect(serverErrorCauses).toEqual([]);
  });

  it("every error is problem+json with the security headers, the router's own errors included", () => {
    expect(fuzzRan).toBe(true);
    expect(nonProblemAnswers).toEqual([]);
  });

  it('S5: no log line of the server (LOG_LEVEL=debug) carries the secret or a bearer token it was sent', () => {
    expect(sentAll.length).toBeGreaterThan(0); // the fuzzing above ran
    const tokensSent = new Set<string>();
    for (const { request } of sentAll) {
      const authorization = request.headers.authorization;
      if (authorization) tokensSent.add(authorization.replace(/^\S+\s+/, ''));
    }
    const scan = scanLog(server.logFile, SECRET, tokensSent);
    console.log(
      `S5 (S1 run): ${n(scan.lines)} log lines at debug level scanned for the secret and ${n(tokensSent.size)} distinct ` +
        `bearer tokens sent: ${scan.problems.length} leaks; ${n(scan.stackLines)} lines with a stack trace ` +
        `(logged for the unexpected errors only)`,
    );
    expect(scan.problems).toEqual([]);
    expect(scan.lines).toBeGreaterThan(sentAll.length); // debug logging was really on
  });
});
