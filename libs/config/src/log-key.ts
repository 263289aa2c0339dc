import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSignerKey, parseSignerKey, verifierKeyOf } from '@accord/tlog';
import { AccordConfig } from './config';

export interface LogKeys {
  /** The signer key (skey); null in a process that only serves the verifier key. */
  privateKey: string | null;
  /** The vkey of GET /v1/log/key. */
  publicKey: string;
}

/**
 * The log's keys: ACCORD_LOG_PRIVATE_KEY (its vkey derived) or ACCORD_LOG_PUBLIC_KEY alone when set; otherwise the
 * embedded default generates an Ed25519 key named after the origin once, and keeps it in the data directory
 * (readable by its owner only), like the JWT secret. Every process of an installation must share one key: a
 * production deployment sets the variables.
 */
export function resolveLogKeys(config: AccordConfig): LogKeys {
  const { privateKey, publicKey, origin } = config.log;
  if (privateKey !== null) return { privateKey, publicKey: verifierKeyOf(privateKey) };
  if (publicKey !== null) return { privateKey: null, publicKey };
  const file = join(config.dataDir, 'log-key');
  const stored = () => {
    const key = readFileSync(file, 'utf8').trim();
    const { name } = parseSignerKey(key);
    if (name !== origin)
      throw new Error(`${file} holds the key of the log ${name}, but ACCORD_LOG_ORIGIN is ${origin}`);
    return { privateKey: key, publicKey: verifierKeyOf(key) };
  };
  if (existsSync(file)) return stored();
  mkdirSync(config.dataDir, { recursive: true });
  const key = generateSignerKey(origin);
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process of this installation generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return stored();
    throw error;
  }
  return { privateKey: key, publicKey: verifierKeyOf(key) };
}
