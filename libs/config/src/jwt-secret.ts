import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccordConfig } from './config';

/**
 * The HS256 secret: ACCORD_JWT_SECRET when set; otherwise the embedded default generates one once and keeps it
 * in the data directory (readable by its owner only), so that `npm start` and `npm run token` agree without a
 * secret ever being written into the repository.
 */
export function resolveJwtSecret(config: AccordConfig): {
  secret: string;
  generated: boolean;
  file: string | null;
} {
  if (config.jwt.kind !== 'hs256')
    throw new Error('Tokens are verified with a JWKS: there is no shared secret');
  if (config.jwt.secret) return { secret: config.jwt.secret, generated: false, file: null };
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false, file };
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process of this installation generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { secret: readFileSync(file, 'utf8').trim(), generated: false, file };
    throw error;
  }
  return { secret, generated: true, file };
}
