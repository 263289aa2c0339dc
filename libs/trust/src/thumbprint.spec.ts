import { createHash } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { thumbprint } from './thumbprint';

/** RFC 7638 by hand: the required members in lexicographic order, no white space, SHA-256, base64url. */
function byHand(members: string): string {
  return createHash('sha256').update(Buffer.from(members, 'utf8')).digest('base64url');
}

describe('thumbprint (RFC 7638)', () => {
  it('of an Ed25519 key is the one of RFC 8037 appendix A.3', async () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    expect(thumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(thumbprint(jwk)).toBe(byHand(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`));
    expect(thumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('of a P-256 key hashes crv, kty, x and y', async () => {
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    };
    const expected = byHand(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`);
    expect(thumbprint(jwk)).toBe(expected);
    expect(thumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('ignores every other member: kid, alg, use, validity', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    const annotated = { kid: 'k', alg: 'EdDSA', use: 'sig', notBefore: '2026-01-01T00:00:00Z', ...jwk };
    expect(thumbprint(annotated)).toBe(thumbprint(jwk));
  });

  it('refuses other key types and incomplete keys', () => {
    expect(() => thumbprint({ kty: 'RSA' })).toThrow(/kty/);
    expect(() =>
      thumbprint({ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU' }),
    ).toThrow(/y/);
  });
});
