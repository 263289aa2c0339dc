import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createTestSchema, dropTestSchema } from '../../../../test/support/postgres';
import { EventStoreDbDouble, startEventStoreDbDouble } from '../../../../test/eventstoredb-double';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { mintHs256Token, TokenRole } from '@accord/auth';
import { AccordConfig, loadConfig } from '@accord/config';
import { EventStore, InMemoryEventStore } from '@accord/event-store';
import { createLogger } from '@accord/runtime';
import type { Logger } from 'pino';
import { createHttpApp } from '../http/http-app';
import { Infrastructure, openInfrastructure } from '../infrastructure/infrastructure';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface TestApp {
  app: NestFastifyApplication;
  infrastructure: Infrastructure;
  config: AccordConfig;
  dataDir: string;
  http: () => ReturnType<typeof request>;
  token: (role: TokenRole, country?: string, sub?: string) => Promise<string>;
  /** An Authorization header value for the role (and country), minted at start. */
  auth: (role: TokenRole, country?: string) => string;
  close: (options?: { keepData?: boolean }) => Promise<void>;
}

/**
 * The whole API in-process, on a fresh data directory: in-memory events, or with `store: 'sqlite'` the suite's
 * durable event store (the embedded SQLite file, or EventStoreDB in the e2e-eventstoredb run).
 */
export async function startTestApp(
  options: {
    store?: 'memory' | 'sqlite';
    dataDir?: string;
    env?: Record<string, string>;
    /** Where the app logs (see `capturedLog`); by default nowhere, or stdout at TEST_LOG_LEVEL. */
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'accord-test-'));
  const readStore = await testReadStore(dataDir);
  const durableStore = options.store === 'sqlite' ? await testEventStore(dataDir) : null;
  const config = loadConfig({
    ACCORD_DATA_DIR: dataDir,
    ACCORD_JWT_SECRET: TEST_SECRET,
    ACCORD_SCHEDULER_INTERVAL_MS: '200',
    ...readStore.env,
    ...durableStore?.env,
    ...options.env,
  });
  const eventStore: EventStore | undefined = durableStore ? undefined : new InMemoryEventStore();
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const infrastructure = await openInfrastructure(config, logger, { eventStore });
  const app = await createHttpApp(infrastructure, logger);
  await app.getHttpAdapter().getInstance().ready();
  const token = (role: TokenRole, country?: string, sub?: string) =>
    mintHs256Token(TEST_SECRET, {
      role,
      country,
      sub: sub ?? `${role}${country ? `-${country.toLowerCase()}` : ''}`,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      expiresIn: 3600,
    });
  const minted = new Map<string, string>();
  for (const role of ['secretariat', 'fund-board', 'auditor'] as const)
    minted.set(role, `Bearer ${await token(role)}`);
  for (const { code } of config.parties.all)
    minted.set(`focal-point/${code}`, `Bearer ${await token('focal-point', code)}`);
  return {
    app,
    infrastructure,
    config,
    dataDir,
    http: () => request(app.getHttpServer()),
    token,
    auth: (role, country) => {
      const header = minted.get(country ? `${role}/${country}` : role);
      if (!header) throw new Error(`No token minted for ${role} ${country ?? ''}`);
      return header;
    },
    close: async ({ keepData = false } = {}) => {
      await app.close();
      await infrastructure.close();
      if (keepData) return;
      await readStore.drop();
      await durableStore?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A logger writing to memory, configured as the app's own: the lines it wrote, parsed. */
export function capturedLog(level = 'debug'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void written.push(line) });
  return {
    logger,
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * The read store of the e2e suite: the embedded SQLite file, or — in the e2e-postgres run — a schema of its own
 * on the real PostgreSQL server, kept with the data directory so that a restarted app finds it again.
 */
async function testReadStore(
  dataDir: string,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (process.env.ACCORD_TEST_READ_STORE !== 'postgres') return { env: {}, drop: async () => undefined };
  const remembered = join(dataDir, 'test-database-url');
  const schema = existsSync(remembered)
    ? { url: readFileSync(remembered, 'utf8'), drop: () => dropTestSchema(readFileSync(remembered, 'utf8')) }
    : await createTestSchema();
  writeFileSync(remembered, schema.url);
  return { env: { ACCORD_READ_STORE: 'postgres', DATABASE_URL: schema.url }, drop: schema.drop };
}

/** EventStoreDB test doubles, by the data directory of the app using them, so that a restarted app finds its events. */
const doubles = new Map<string, EventStoreDbDouble>();

/**
 * The durable event store of the e2e suite: the embedded SQLite file, or — in the e2e-eventstoredb run — the
 * EventStoreDB adapter over the wire-level double (no EventStoreDB server runs on this machine).
 */
async function testEventStore(
  dataDir: string,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (process.env.ACCORD_TEST_EVENT_STORE !== 'eventstoredb') return { env: {}, drop: async () => undefined };
  const double = doubles.get(dataDir) ?? (await startEventStoreDbDouble());
  doubles.set(dataDir, double);
  return {
    env: { ACCORD_EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: double.connectionString },
    drop: async () => {
      doubles.delete(dataDir);
      await double.stop();
    },
  };
}

/**
 * Changes one byte of the stored event that contains `text`, behind Accord's back: in the SQLite file, or in
 * the EventStoreDB double's storage. The app using `dataDir` must be closed (its data kept) for the SQLite file.
 */
export function alterStoredEvent(dataDir: string, text: string): void {
  const needle = Buffer.from(text);
  const double = doubles.get(dataDir);
  if (double) {
    const record = double.database.allRecords.find((candidate) =>
      Buffer.from(candidate.data).includes(needle),
    );
    if (!record) throw new Error(`No stored event contains "${text}"`);
    record.data[Buffer.from(record.data).indexOf(needle)] ^= 0x20;
    return;
  }
  const file = join(dataDir, 'events.db');
  const bytes = readFileSync(file);
  const at = bytes.indexOf(needle);
  if (at < 0) throw new Error(`No stored event contains "${text}"`);
  bytes[at] ^= 0x20;
  writeFileSync(file, bytes);
}

export const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'];

export function proposalBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Pan-Turkic Patent Organization',
    summary: 'A joint patent office for the member states.',
    category: 'intellectual-property',
    proposingState: 'KAZ',
    participatingStates: [...MEMBERS],
    approvalRule: { kind: 'unanimity' },
    signOffDeadline: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
    requestedFunding: { amount: '1500000.00', currency: 'USD' },
    ...overrides,
  };
}

/** Proposes an initiative as the secretariat and answers its id. */
export async function proposed(testApp: TestApp, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await testApp
    .http()
    .post('/v1/initiatives')
    .set('authorization', testApp.auth('secretariat'))
    .send(proposalBody(overrides))
    .expect(201);
  return response.body.initiativeId;
}

export function signedOff(
  testApp: TestApp,
  id: string,
  state: string,
  decision = 'approve',
  proposalVersion = 1,
) {
  return testApp
    .http()
    .post(`/v1/initiatives/${id}/sign-offs`)
    .set('authorization', testApp.auth('focal-point', state))
    .send({ state, decision, proposalVersion });
}
