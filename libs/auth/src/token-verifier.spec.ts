import { SignJWT } from 'jose';
import { DEFAULT_PARTIES, Parties } from '@accord/domain';
import { mintHs256Token } from './token-minter';
import { AuthenticationError } from './principal';
import { hs256Verifier, REMEMBERED_FOR_MS, REMEMBERED_TOKENS, rememberingVerifier } from './token-verifier';

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

describe('the remembering verifier', () => {
  const principal = { sub: 'kaz-focal-point', role: 'focal-point' as const, country: 'KAZ' };
  let clock = Date.parse('2026-11-30T00:00:00Z');
  const counting = (expiresAt: number) => {
    const calls: string[] = [];
    const remembering = rememberingVerifier(
      async (token) => {
        calls.push(token);
        if (token.startsWith('refused')) throw new AuthenticationError('The token was refused (test)');
        return { principal: { ...principal }, expiresAt };
      },
      () => clock,
    );
    return { calls, remembering };
  };

  describe('when a token was accepted before', () => {
    it('answers its principal without verifying it again', async () => {
      const { calls, remembering } = counting(clock / 1000 + 600);
      const first = await remembering.verify('token-a');
      await expect(remembering.verify('token-a')).resolves.toEqual(first);
      expect(calls).toEqual(['token-a']);
    });

    it('verifies it again once it expired (with the clock tolerance), and at the latest after five minutes', async () => {
      const expiring = counting(clock / 1000 + 60);
      await expiring.remembering.verify('token-a');
      clock += 64_000;
      await expiring.remembering.verify('token-a');
      expect(expiring.calls).toEqual(['token-a']);
      clock += 1_000; // exp + 5 s: jose refuses it from here on
      await expiring.remembering.verify('token-a');
      expect(expiring.calls).toEqual(['token-a', 'token-a']);

      const longLived = counting(clock / 1000 + 86_400);
      await longLived.remembering.verify('token-b');
      clock += REMEMBERED_FOR_MS - 1;
      await longLived.remembering.verify('token-b');
      clock += 1;
      await longLived.remembering.verify('token-b');
      expect(longLived.calls).toEqual(['token-b', 'token-b']);
    });

    it(`forgets the oldest past ${REMEMBERED_TOKENS.toLocaleString('en')} tokens`, async () => {
      const { calls, remembering } = counting(clock / 1000 + 600);
      for (let index = 0; index <= REMEMBERED_TOKENS; index++) await remembering.verify(`token-${index}`);
      await remembering.verify(`token-${REMEMBERED_TOKENS}`);
      await remembering.verify('token-1');
      await remembering.verify('token-0');
      expect(calls.length).toBe(REMEMBERED_TOKENS + 2);
    });
  });

  describe('when a token was refused', () => {
    it('verifies it again the next time', async () => {
      const { calls, remembering } = counting(clock / 1000 + 600);
      await expect(remembering.verify('refused-a')).rejects.toThrow(AuthenticationError);
      await expect(remembering.verify('refused-a')).rejects.toThrow(AuthenticationError);
      expect(calls).toEqual(['refused-a', 'refused-a']);
    });
  });
});

describe('the HS256 token verifier, once it accepted a token', () => {
  it('refuses it after it expired', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const token = await mintHs256Token(SECRET, {
        ...AUDIENCE,
        sub: 'auditor-1',
        role: 'auditor',
        expiresIn: 60,
      });
      await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'auditor' });
      jest.setSystemTime(Date.now() + 66_000);
      await expect(verifier.verify(token)).rejects.toThrow('The token was refused (ERR_JWT_EXPIRED)');
    } finally {
      jest.useRealTimers();
    }
  });
});
