import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_PARTIES, Parties, partiesFileProblems } from '@accord/domain';
import { publicKeyProblem } from '@accord/trust';
import { isValidKeyName, parseSignerKey, parseVerifierKey, verifierKeyOf, ED25519 } from '@accord/tlog';

export const PROCESS_ROLES = ['api', 'projector', 'scheduler', 'relay'] as const;
export const DEFAULT_KAFKA_TOPIC = 'accord.initiatives.v1';
/** The CloudEvents `source` of every event Accord publishes, unless ACCORD_EVENT_SOURCE names another. */
export const DEFAULT_EVENT_SOURCE = 'urn:accord:initiatives';
/** `ACCORD_LOG_ORIGIN` when unset: the transparency log's name in its checkpoints. */
export const DEFAULT_LOG_ORIGIN = 'accord.local/log';
const BROKER_ADDRESS = /^[\w.-]+:\d{1,5}$/;

/** A comma-separated broker list, as KAFKA_BROKERS holds it. */
export function splitBrokers(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

export function isBrokerAddress(broker: string): boolean {
  return BROKER_ADDRESS.test(broker);
}
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export type JwtConfig =
  | { kind: 'hs256'; secret: string | null; issuer: string; audience: string }
  | { kind: 'jwks'; jwksUrl: string; issuer: string; audience: string };

export interface AccordConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStore: { kind: 'sqlite' } | { kind: 'eventstoredb'; connectionString: string };
  readStore: { kind: 'sqlite' } | { kind: 'postgres'; databaseUrl: string };
  kafka: { brokers: string[]; topic: string; partitions: number; replicationFactor: number } | null;
  eventSource: string;
  /** `secret: null` in hs256 mode: the embedded default keeps a generated secret under the data directory. */
  jwt: JwtConfig;
  parties: Parties;
  roles: ProcessRole[];
  logLevel: string;
  rateLimit: { requestsPerMinute: number };
  schedulerIntervalMs: number;
  /** The transparency log (docs/trust.md §4). */
  log: LogConfig;
  /** Who of several projectors and relays is the active one (docs/adr/0007). */
  lease: LeaseConfig;
  /** The console's sign-in through an OpenID Provider; null: the console takes a pasted access token only. */
  oidc: OidcConfig | null;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** What the console asks the provider for, space-separated. */
  scope: string;
}

/**
 * `none`: every process runs the projector and relay it is given (one process, the embedded default). `postgres`:
 * several may run, one of each active, chosen by a lease in PostgreSQL beside the writes it fences.
 */
export type LeaseConfig =
  { kind: 'none' } | { kind: 'postgres'; databaseUrl: string; ttlMs: number; renewMs: number };

export interface LogConfig {
  /** The checkpoints' origin line, and so the log key's name. */
  origin: string;
  /** The log's signer key (C2SP skey); null: the embedded default's generated key, or none (verify only). */
  privateKey: string | null;
  /** The log's verifier key (vkey), for processes that serve it without signing. */
  publicKey: string | null;
  checkpointIntervalSeconds: number;
}

/** Configuration is read and validated once; a bad value stops the process with a message naming it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): AccordConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(name) ?? fallback;
    if (!allowed.includes(raw as T))
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return raw as T;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return parsed;
  };
  const required = (name: string, because: string): string => {
    const raw = value(name);
    if (raw === undefined) problems.push(`${name} is required ${because}`);
    return raw ?? '';
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = value('HOST') ?? '127.0.0.1';
  const dataDir = resolvePath(value('ACCORD_DATA_DIR') ?? './data', cwd);

  const eventStoreKind = oneOf('ACCORD_EVENT_STORE', ['sqlite', 'eventstoredb'] as const, 'sqlite');
  const eventStore =
    eventStoreKind === 'eventstoredb'
      ? {
          kind: eventStoreKind,
          connectionString: required('EVENTSTORE_CONNECTION_STRING', 'when ACCORD_EVENT_STORE=eventstoredb'),
        }
      : { kind: eventStoreKind };
  const connectionString = value('EVENTSTORE_CONNECTION_STRING');
  if (connectionString && !/^(esdb|esdb\+discover):\/\//.test(connectionString))
    problems.push('EVENTSTORE_CONNECTION_STRING must start with esdb:// or esdb+discover://');

  const readStoreKind = oneOf('ACCORD_READ_STORE', ['sqlite', 'postgres'] as const, 'sqlite');
  const readStore =
    readStoreKind === 'postgres'
      ? { kind: readStoreKind, databaseUrl: required('DATABASE_URL', 'when ACCORD_READ_STORE=postgres') }
      : { kind: readStoreKind };
  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// connection string');

  const brokers = splitBrokers(value('KAFKA_BROKERS') ?? '');
  for (const broker of brokers)
    if (!isBrokerAddress(broker))
      problems.push(`KAFKA_BROKERS must list host:port entries (got "${broker}")`);
  const kafka =
    brokers.length > 0
      ? {
          brokers,
          topic: value('ACCORD_KAFKA_TOPIC') ?? DEFAULT_KAFKA_TOPIC,
          partitions: integer('ACCORD_KAFKA_PARTITIONS', 3, 1, 10_000),
          replicationFactor: integer('ACCORD_KAFKA_REPLICATION_FACTOR', 1, 1, 16),
        }
      : null;
  const topic = value('ACCORD_KAFKA_TOPIC');
  if (topic && !/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
    problems.push('ACCORD_KAFKA_TOPIC is not a valid Kafka topic name');

  const issuer = value('ACCORD_JWT_ISSUER') ?? 'accord';
  const audience = value('ACCORD_JWT_AUDIENCE') ?? 'accord-api';
  const jwksUrl = value('ACCORD_JWT_JWKS_URL');
  const secret = value('ACCORD_JWT_SECRET') ?? null;
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) problems.push('ACCORD_JWT_JWKS_URL must be an http(s) URL');
  if (secret !== null && secret.length < 32)
    problems.push('ACCORD_JWT_SECRET must be at least 32 characters');
  const jwt: JwtConfig = jwksUrl
    ? { kind: 'jwks', jwksUrl, issuer, audience }
    : { kind: 'hs256', secret, issuer, audience };

  const parties = loadParties(value('ACCORD_PARTIES_FILE'), cwd, problems);

  const rolesRaw = value('ACCORD_ROLES') ?? PROCESS_ROLES.join(',');
  const roles = rolesRaw.split(',').map((role) => role.trim()) as ProcessRole[];
  for (const role of roles)
    if (!PROCESS_ROLES.includes(role))
      problems.push(`ACCORD_ROLES must list some of ${PROCESS_ROLES.join(', ')} (got "${role}")`);

  const logLevel = oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    'info',
  );
  const eventSource = value('ACCORD_EVENT_SOURCE') ?? DEFAULT_EVENT_SOURCE;
  const rateLimit = { requestsPerMinute: integer('ACCORD_RATE_LIMIT_PER_MINUTE', 6000, 1, 10_000_000) };

  const schedulerIntervalMs = integer('ACCORD_SCHEDULER_INTERVAL_MS', 5000, 50, 3_600_000);

  const log = logConfig(
    {
      origin: value('ACCORD_LOG_ORIGIN') ?? DEFAULT_LOG_ORIGIN,
      privateKey: value('ACCORD_LOG_PRIVATE_KEY') ?? null,
      publicKey: value('ACCORD_LOG_PUBLIC_KEY') ?? null,
      checkpointIntervalSeconds: integer('ACCORD_CHECKPOINT_INTERVAL', 10, 1, 86_400),
    },
    problems,
  );

  const oidc = oidcConfig(
    {
      issuer: value('ACCORD_OIDC_ISSUER'),
      clientId: value('ACCORD_OIDC_CLIENT_ID'),
      scope: value('ACCORD_OIDC_SCOPE') ?? 'openid',
    },
    jwt,
    problems,
  );

  const lease = leaseConfig(
    {
      kind: oneOf('ACCORD_LEASE', ['none', 'postgres'] as const, 'none'),
      ttlMs: integer('ACCORD_LEASE_TTL_MS', 6000, 1000, 60_000),
      renewMs: integer('ACCORD_LEASE_RENEW_MS', 2000, 100, 20_000),
    },
    readStore,
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    dataDir,
    eventStore,
    readStore,
    kafka,
    eventSource,
    jwt,
    parties,
    roles,
    logLevel,
    rateLimit,
    schedulerIntervalMs,
    log,
    oidc,
    lease,
  };
}

/**
 * The lease fences the writes to the read model and to the relay's checkpoint, so it must live in their database:
 * the PostgreSQL read store's. A renewal may fail twice before the lease expires.
 */
function leaseConfig(
  lease: { kind: LeaseConfig['kind']; ttlMs: number; renewMs: number },
  readStore: AccordConfig['readStore'],
  problems: string[],
): LeaseConfig {
  if (lease.kind !== 'postgres') return { kind: 'none' };
  if (readStore.kind !== 'postgres')
    problems.push(
      'ACCORD_LEASE=postgres needs ACCORD_READ_STORE=postgres: the lease lives beside the writes it fences',
    );
  if (lease.renewMs * 3 > lease.ttlMs)
    problems.push(
      `ACCORD_LEASE_RENEW_MS must be at most a third of ACCORD_LEASE_TTL_MS (${lease.ttlMs}), got ${lease.renewMs}`,
    );
  return {
    kind: 'postgres',
    databaseUrl: readStore.kind === 'postgres' ? readStore.databaseUrl : '',
    ttlMs: lease.ttlMs,
    renewMs: lease.renewMs,
  };
}

function resolvePath(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function loadParties(file: string | undefined, cwd: string, problems: string[]): Parties {
  if (!file) return new Parties(DEFAULT_PARTIES);
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(resolvePath(file, cwd), 'utf8'));
  } catch (error) {
    problems.push(`ACCORD_PARTIES_FILE cannot be read as JSON: ${(error as Error).message}`);
    return new Parties(DEFAULT_PARTIES);
  }
  const fileProblems = partiesFileProblems(content);
  if (fileProblems.length === 0) fileProblems.push(...unusableKeys(content as Parties['entries']));
  problems.push(...fileProblems.map((problem) => `ACCORD_PARTIES_FILE: ${problem}`));
  return new Parties(fileProblems.length === 0 ? (content as Parties['entries']) : DEFAULT_PARTIES);
}

/** Keys of the right shape that are still no public key (a P-256 point off the curve): the domain has no crypto. */
function unusableKeys(entries: Parties['entries']): string[] {
  return entries.flatMap((entry, index) =>
    (entry.keys ?? []).flatMap((key, k) => {
      const problem = publicKeyProblem(key);
      return problem ? [`entry ${index}: keys[${k}]: ${problem}`] : [];
    }),
  );
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const CLIENT_ID = /^[\x21-\x7e]{1,200}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * The console signs in through the provider whose tokens the API verifies: so both variables or neither, and the
 * API on JWKS. An issuer is an https URL without query or fragment (OpenID Connect Discovery §3); http only on the
 * loopback interface, for development.
 */
function oidcConfig(
  { issuer, clientId, scope }: { issuer?: string; clientId?: string; scope: string },
  jwt: JwtConfig,
  problems: string[],
): OidcConfig | null {
  if (issuer === undefined && clientId === undefined) return null;
  if (issuer === undefined) problems.push('ACCORD_OIDC_ISSUER is required with ACCORD_OIDC_CLIENT_ID');
  if (clientId === undefined) problems.push('ACCORD_OIDC_CLIENT_ID is required with ACCORD_OIDC_ISSUER');
  else if (!CLIENT_ID.test(clientId))
    problems.push('ACCORD_OIDC_CLIENT_ID must be 1 to 200 visible ASCII characters');
  if (issuer !== undefined) {
    const url = URL.parse(issuer);
    if (
      !url ||
      url.search !== '' ||
      url.hash !== '' ||
      !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname)))
    )
      problems.push(
        'ACCORD_OIDC_ISSUER must be an https URL without query or fragment (http only for localhost)',
      );
  }
  if (!SCOPE.test(scope)) problems.push('ACCORD_OIDC_SCOPE must be scope tokens separated by single spaces');
  if (jwt.kind !== 'jwks')
    problems.push("ACCORD_OIDC_ISSUER needs ACCORD_JWT_JWKS_URL: the API verifies the provider's tokens");
  return issuer === undefined || clientId === undefined ? null : { issuer, clientId, scope };
}

/** The log's keys must parse, be Ed25519 log keys (type 0x01), be named after the origin, and agree. */
function logConfig(log: LogConfig, problems: string[]): LogConfig {
  if (!isValidKeyName(log.origin))
    problems.push('ACCORD_LOG_ORIGIN must be a key name: printable, no spaces or plus signs');
  const keyProblem = (name: string, read: () => { name: string; type: number }) => {
    try {
      const key = read();
      if (key.type !== ED25519) problems.push(`${name} is not an Ed25519 log key (type 0x01)`);
      else if (key.name !== log.origin)
        problems.push(`${name} is named ${key.name}, not after ACCORD_LOG_ORIGIN (${log.origin})`);
      return false;
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return true;
    }
  };
  const { privateKey, publicKey } = log;
  const badPrivate =
    privateKey !== null && keyProblem('ACCORD_LOG_PRIVATE_KEY', () => parseSignerKey(privateKey));
  const badPublic =
    publicKey !== null && keyProblem('ACCORD_LOG_PUBLIC_KEY', () => parseVerifierKey(publicKey));
  if (
    privateKey !== null &&
    publicKey !== null &&
    !badPrivate &&
    !badPublic &&
    verifierKeyOf(privateKey) !== publicKey
  )
    problems.push('ACCORD_LOG_PUBLIC_KEY is not the key of ACCORD_LOG_PRIVATE_KEY');
  return log;
}
