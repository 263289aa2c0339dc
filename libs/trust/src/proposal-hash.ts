import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The fields of an initiative that make its proposal, the text a state signs off (docs/trust.md §2). */
export const PROPOSAL_FIELDS = [
  'title',
  'summary',
  'category',
  'proposingState',
  'participatingStates',
  'approvalRule',
  'signOffDeadline',
  'requestedFunding',
] as const;
export type ProposalFields = { [field in (typeof PROPOSAL_FIELDS)[number]]: unknown };

/**
 * The proposalHash: lower-case hex SHA-256 of the RFC 8785 canonical JSON of the object of exactly the proposal's
 * fields, as GET /v1/initiatives/{id} returns them (requestedFunding null when none). Other fields are left out.
 */
export function proposalHash(proposal: ProposalFields): string {
  const fields: Record<string, unknown> = {};
  for (const field of PROPOSAL_FIELDS) {
    if (proposal[field] === undefined) throw new TypeError(`A proposal has ${field} (null when none)`);
    fields[field] = proposal[field];
  }
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}

/** RFC 8785 canonical JSON (the `canonicalize` package, as @accord/audit uses it, which may depend on this lib). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('Value has no JSON representation');
  return text;
}
