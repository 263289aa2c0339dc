import { Actor, Parties } from '@accord/domain';

/** A person or system authenticated by a token: the actor every command and query runs as. */
export type Principal = Actor;

/** Roles that a token may carry: `system` is the engine itself and is never issued to a person. */
export const TOKEN_ROLES = ['focal-point', 'secretariat', 'fund-board', 'auditor', 'witness'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

const SUB = /^[\x21-\x7e]{1,200}$/;

/** Turns verified claims into a principal, or refuses them (domain.md "Actors", api.md "Authentication"). */
export function principalFromClaims(claims: Record<string, unknown>, parties: Parties): Principal {
  const { sub, role, country } = claims;
  if (typeof sub !== 'string' || !SUB.test(sub)) throw new AuthenticationError('The token has no valid sub');
  if (!TOKEN_ROLES.includes(role as TokenRole)) throw new AuthenticationError('The token has no valid role');
  if (role === 'focal-point') {
    if (typeof country !== 'string' || !parties.find(country))
      throw new AuthenticationError('A focal point token needs the country of a party');
    return { sub, role, country };
  }
  if (role === 'witness') {
    if (typeof country !== 'string' || !parties.isMember(country))
      throw new AuthenticationError('A witness token needs the country of a member state');
    return { sub, role, country };
  }
  if (country !== undefined && country !== null)
    throw new AuthenticationError(`A ${String(role)} token carries no country`);
  return { sub, role: role as TokenRole, country: null };
}
