import { amountInCents, PartyKey } from '@accord/domain';
import { CommandName } from './commands';
import { canonicalJson, PROPOSAL_FIELDS } from './proposal-hash';
import { SignatureError } from './signature-error';
import { Statement, verifySignedCommand } from './signed-command';
import { thumbprint } from './thumbprint';

/** A recorded event, as a history or an audit bundle shows it. */
export interface RecordedDecision {
  revision: number;
  type: string;
  actor: { role: string; country: string | null };
  data: Record<string, unknown>;
}

/** What the signature of one recorded event says: signed by its party's key over this very decision, or not. */
export type SignatureCheck =
  | { revision: number; signature: 'valid'; kid: string }
  | { revision: number; signature: 'invalid'; reason: string }
  | { revision: number; signature: 'unsigned' };

/** A party's public key as audit bundles and auditors' JWKS files carry it: with its party and thumbprint. */
export type PartyJwk = PartyKey & { party: string; thumbprint?: string };

/** The command each event type records; the consequences of a command (approval, rejection, expiry) record none. */
const RECORDED_COMMAND: Partial<Record<string, CommandName>> = {
  InitiativeProposed: 'propose-initiative',
  NationalSignOffRecorded: 'record-sign-off',
  ChangesRequested: 'request-changes',
  InitiativeAmended: 'amend-initiative',
  InitiativeWithdrawn: 'withdraw-initiative',
  FundingDecisionRecorded: 'record-funding-decision',
};

/** The JWKS an audit bundle carries: every key of the parties, each naming its party, with its RFC 7638 thumbprint. */
export function partiesJwks(parties: readonly { code: string; keys?: readonly PartyKey[] }[]): {
  keys: PartyJwk[];
} {
  return {
    keys: parties.flatMap(({ code, keys = [] }) =>
      keys.map((key) => ({ ...key, party: code, thumbprint: thumbprint(key) })),
    ),
  };
}

/**
 * Checks the signature a recorded event carries (docs/trust.md §3): made with a key of the party that acted, valid
 * at the statement's iat, for the command this event records, on this initiative — and the signed body is what
 * the event records. The clock plays no part: a decision signed years ago verifies today.
 */
export async function checkRecordedSignature(
  event: RecordedDecision,
  keys: readonly PartyJwk[],
): Promise<SignatureCheck> {
  const { revision, type, actor, data } = event;
  const signature = data.signature as { jws: string; kid: string; alg: string } | null | undefined;
  if (!signature) return { revision, signature: 'unsigned' };
  const invalid = (reason: string): SignatureCheck => ({ revision, signature: 'invalid', reason });
  const command = RECORDED_COMMAND[type];
  if (!command) return invalid(`a ${type} records no command a party signs`);
  const party = actor.role === 'focal-point' ? (actor.country ?? '') : actor.role;
  try {
    const iat = statementIat(signature.jws);
    const { kid, alg, statement } = await verifySignedCommand({
      jws: signature.jws,
      keys: keys.filter((key) => key.party === party),
      command,
      initiativeId: String(data.initiativeId),
      party,
      now: new Date(iat * 1000),
    });
    if (kid !== signature.kid || alg !== signature.alg)
      return invalid(`the event names key ${signature.kid} (${signature.alg}), the JWS ${kid} (${alg})`);
    const mismatch = statementMismatch(command, statement, data);
    return mismatch
      ? invalid(`the signed statement does not match the event: ${mismatch}`)
      : { revision, signature: 'valid', kid };
  } catch (error) {
    if (error instanceof SignatureError) return invalid(error.message);
    throw error;
  }
}

/** The statement's iat, read before the signature is verified only to tell which instant to verify at. */
function statementIat(jws: string): number {
  try {
    const iat = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')).iat;
    if (Number.isSafeInteger(iat)) return iat;
  } catch {
    // Reported as the JWS verification reports it.
  }
  throw new SignatureError('invalid-iat', 'The signed statement has no integer iat');
}

/**
 * How the signed body differs from what the event records, or null. The event records the body as the API maps
 * it: instants in UTC, an omitted comment or requested funding as null, an amendment's changes at the next version.
 */
function statementMismatch(
  command: CommandName,
  statement: Statement,
  data: Record<string, unknown>,
): string | null {
  const body = statement.body;
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
  const sameInstant = (a: unknown, b: unknown) => Date.parse(String(a)) === Date.parse(String(b));
  const sameMoney = (a: unknown, b: unknown) => {
    if (!a || !b) return !a && !b;
    const [left, right] = [a, b] as { amount: string; currency: string }[];
    return left.currency === right.currency && amountInCents(left.amount) === amountInCents(right.amount);
  };
  const differs = (fields: string[], recorded: Record<string, unknown> = data) =>
    fields.find((field) => {
      if (field === 'signOffDeadline') return !sameInstant(body[field], recorded[field]);
      if (field === 'requestedFunding') return !sameMoney(body[field], recorded[field]);
      return !same(body[field], recorded[field]);
    }) ?? null;
  switch (command) {
    case 'propose-initiative':
      return differs([...PROPOSAL_FIELDS]);
    case 'record-sign-off':
      return differs(['state', 'decision', 'proposalVersion', 'comment', 'proposalHash']);
    case 'request-changes':
      return differs(['state', 'proposalVersion', 'comment', 'proposalHash']);
    case 'amend-initiative': {
      if (data.proposalVersion !== Number(body.proposalVersion) + 1) return 'proposalVersion';
      // An amendment records only the fields that differed from the proposal then: each of those as signed.
      const changes = (data.changes ?? {}) as Record<string, unknown>;
      return differs(Object.keys(changes), changes);
    }
    case 'withdraw-initiative':
      return differs(['reason']);
    case 'record-funding-decision': {
      const mismatch = differs(['decision', 'fundingBody', 'conditions']);
      if (mismatch) return mismatch;
      // A grant that names no amount grants the requested one: only an amount the body names is compared.
      return body.amount === undefined || sameMoney(body, data) ? null : 'amount';
    }
  }
}
