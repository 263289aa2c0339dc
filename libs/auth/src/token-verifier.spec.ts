import { SignJWT } from 'jose';
import { DEFAULT_PARTIES, Parties } from '@accord/domain';
import { mintHs256Token } from './token-minter';
import { hs256Verifier } from './token-verifier';

const SECRET = 'a-test-secret-of-enough-length-for-hs256';
const AUDIENCE = { issuer: 'accord-test', audience: 'accord-api' };
const verifier = hs256Verifier(SECRET, AUDIENCE, new Parties(DEFAULT_PARTIES));
const now = () => Math.floor(Date.now() / 1000);

function signed(claims: Record<string, unknown>, issuedAt: number): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('kaz-focal-point')
    .setIssuer(AUDIENCE.issuer)
    .setAudience(AUDIENCE.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(now() + 600)
    .sign(new TextEncoder().encode(SECRET));
}

describe('the HS256 token verifier', () => {
  it('accepts a token it minted', async () => {
    const token = await mintHs256Token(SECRET, {
      ...AUDIENCE,
      sub: 'kaz-focal-point',
      role: 'focal-point',
      country: 'KAZ',
      expiresIn: 600,
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'focal-point', country: 'KAZ' });
  });

  it('accepts a token issued a moment ago by a clock slightly ahead', async () =>
    await expect(verifier.verify(await signed({ role: 'auditor' }, now() + 2))).resolves.toMatchObject({
      role: 'auditor',
    }));

  it('refuses a token issued in the future', async () =>
    await expect(verifier.verify(await signed({ role: 'auditor' }, now() + 3600))).rejects.toThrow(
      'issued in the future',
    ));
});
