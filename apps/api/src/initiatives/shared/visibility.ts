import { Principal } from '@accord/auth';
import { Initiative, InitiativeState, isProposed, isVisibleTo } from '@accord/domain';
import { ProblemException } from '../../http/problem';

export const initiativeNotFound = () => new ProblemException('not-found', 'No such initiative');

/** An initiative the principal may not see is answered as one that does not exist. */
export function assertVisible(principal: Principal, state: InitiativeState): asserts state is Initiative {
  if (!isProposed(state) || !isVisibleTo(principal, state)) throw initiativeNotFound();
}
