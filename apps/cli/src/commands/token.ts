import { parseArgs } from 'node:util';
import { mintHs256Token, principalFromClaims, TOKEN_ROLES, TokenRole } from '@accord/auth';
import { loadConfig, resolveJwtSecret } from '@accord/config';

export async function tokenCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string' },
      country: { type: 'string' },
      sub: { type: 'string' },
      'expires-in': { type: 'string', default: String(8 * 3600) },
    },
    strict: true,
  });
  const role = values.role as TokenRole;
  const expiresIn = Number(values['expires-in']);
  if (!TOKEN_ROLES.includes(role) || !values.sub || !Number.isInteger(expiresIn) || expiresIn <= 0) {
    process.stderr.write(
      `Usage: accord token --role ${TOKEN_ROLES.join('|')} [--country CODE] --sub SUB [--expires-in SECONDS]\n`,
    );
    return 2;
  }
  const config = loadConfig();
  // Refuse to mint what the API would refuse: a focal point without a party's country, a country on another role.
  principalFromClaims({ sub: values.sub, role, country: values.country }, config.parties);
  if (config.jwt.kind !== 'hs256')
    throw new Error('ACCORD_JWT_JWKS_URL is set: tokens come from the identity provider');
  const { secret } = resolveJwtSecret(config);
  const token = await mintHs256Token(secret, {
    sub: values.sub,
    role,
    country: values.country,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    expiresIn,
  });
  process.stdout.write(`${token}\n`);
  return 0;
}
