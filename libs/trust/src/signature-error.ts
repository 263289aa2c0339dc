/** Why a signed command is refused: one stable identifier per check of docs/trust.md §2. */
export const SIGNATURE_ERROR_REASONS = [
  /** Not a JWS compact serialization with a JSON object header of exactly alg, kid and typ. */
  'malformed-jws',
  /** The header's alg is neither EdDSA nor ES256. */
  'unsupported-alg',
  /** The header's typ is missing or not accord-decision+jws. */
  'wrong-typ',
  /** No key of the party has the header's kid. */
  'unknown-kid',
  /** The header's alg is not the algorithm of the key with that kid. */
  'alg-mismatch',
  /** The party's key cannot be used (no Ed25519 or P-256 public key, or an alg not its curve's): a configuration error. */
  'unusable-key',
  /** The signature does not verify under the key. */
  'bad-signature',
  /** The payload is not a JSON object of exactly command, initiativeId, party, iat and body. */
  'malformed-statement',
  /** The statement has no iat. */
  'missing-iat',
  /** The statement's iat is not an integer number of seconds. */
  'invalid-iat',
  /** The statement's iat is more than 5 minutes from the server's clock. */
  'iat-out-of-window',
  /** The key was not valid at iat (before its notBefore or after its notAfter). */
  'key-not-valid-at-iat',
  /** The statement's command is not the route's. */
  'command-mismatch',
  /** The statement's initiativeId is not the route's. */
  'initiative-mismatch',
  /** The statement's party is not the token's. */
  'party-mismatch',
  /** The statement's body is not the request body without signature (RFC 8785 canonical forms differ). */
  'body-mismatch',
] as const;
export type SignatureErrorReason = (typeof SIGNATURE_ERROR_REASONS)[number];

/** A signed command refused: `reason` says which check failed, `message` says it in words. */
export class SignatureError extends Error {
  constructor(
    readonly reason: SignatureErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}
