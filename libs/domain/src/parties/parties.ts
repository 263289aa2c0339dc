import defaultParties from './ots-parties.json';

export type PartyRole = 'member' | 'observer';

/** The bodies of the organisation that act through tokens of their own role (docs/trust.md §1). */
export const BODY_CODES = ['secretariat', 'fund-board'] as const;
export type BodyCode = (typeof BODY_CODES)[number];

/** The signature algorithms a party key may have (JWS, RFC 7518): Ed25519 keys sign EdDSA, P-256 keys ES256. */
export const KEY_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/**
 * A public signing key of a party, as a JWK (RFC 7517) in the parties file: plain JSON, no crypto here.
 * `notBefore` and `notAfter` are RFC 3339 instants bounding when the key may sign (both inclusive).
 */
export type PartyKey =
  | {
      kid: string;
      kty: 'OKP';
      crv: 'Ed25519';
      alg?: 'EdDSA';
      x: string;
      use?: 'sig';
      notBefore?: string;
      notAfter?: string;
    }
  | {
      kid: string;
      kty: 'EC';
      crv: 'P-256';
      alg?: 'ES256';
      x: string;
      y: string;
      use?: 'sig';
      notBefore?: string;
      notAfter?: string;
    };

/** A state of the organisation: a member or an observer. */
export interface Party {
  code: string;
  name: string;
  role: PartyRole;
  keys?: PartyKey[];
  /** C2SP vkeys of the state's transparency-log witnesses (members only). */
  witnessKeys?: string[];
}

/** A body of the organisation (`secretariat`, `fund-board`): it may hold keys, it is never a state. */
export interface Body {
  code: BodyCode;
  name: string;
  role: 'body';
  keys?: PartyKey[];
}

/** One entry of a parties file: a state or a body. */
export type PartiesEntry = Party | Body;

/** The algorithm a key signs with, which its curve implies (a key's `alg`, when given, must be this one). */
export function keyAlgorithm(key: PartyKey): KeyAlgorithm {
  return key.kty === 'OKP' ? 'EdDSA' : 'ES256';
}

/** The states and bodies of one organisation, as configured by its parties file. */
export class Parties {
  /** The states, members and observers, in the file's order. */
  readonly all: readonly Party[];
  /** The bodies the file names (none in the default file). */
  readonly bodies: readonly Body[];
  private readonly byCode: ReadonlyMap<string, Party>;
  private readonly bodyByCode: ReadonlyMap<string, Body>;

  /** `entries`: the whole file, states and bodies, in its order. */
  constructor(readonly entries: readonly PartiesEntry[]) {
    this.all = entries.filter((entry): entry is Party => entry.role !== 'body');
    this.bodies = entries.filter((entry): entry is Body => entry.role === 'body');
    this.byCode = new Map(this.all.map((party) => [party.code, party]));
    this.bodyByCode = new Map(this.bodies.map((body) => [body.code, body]));
  }

  /** The state with this code; never a body, so a body is no country. */
  find(code: string): Party | undefined {
    return this.byCode.get(code);
  }

  findBody(code: string): Body | undefined {
    return this.bodyByCode.get(code);
  }

  isMember(code: string): boolean {
    return this.byCode.get(code)?.role === 'member';
  }

  /** The public keys of a state or a body; empty when it has none or the file does not name it. */
  keysOf(code: string): readonly PartyKey[] {
    return (this.byCode.get(code) ?? this.bodyByCode.get(code))?.keys ?? [];
  }

  /** The C2SP vkeys of a state's witnesses; empty when it names none. */
  witnessKeysOf(code: string): readonly string[] {
    return this.byCode.get(code)?.witnessKeys ?? [];
  }
}

/** The Organization of Turkic States: the parties used when no parties file is configured. */
export const DEFAULT_PARTIES: readonly Party[] = defaultParties as Party[];
