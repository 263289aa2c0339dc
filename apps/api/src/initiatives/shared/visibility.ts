import { canSee, Principal } from '@accord/auth';
import { Initiative, InitiativeState, isProposed, isVisibleTo } from '@accord/domain';
import { ProblemException } from '../../http/problem';

export const initiativeNotFound = () => new ProblemException('not-found', 'No such initiative');

/** An initiative the principal may not see is answered as one that does not exist (api.md). */
export function assertVisible(principal: Principal, state: InitiativeState): asserts state is Initiative {
  if (!isProposed(state) || !canSee(principal, state.participatingStates)) throw initiativeNotFound();
}

/**
 * History, time travel and audit, read from the event store: also open to the focal points of states an amendment
 * removed, who took part in what came before.
 */
export function assertMayReadHistory(
  principal: Principal,
  state: InitiativeState,
): asserts state is Initiative {
  if (!isProposed(state) || !isVisibleTo(principal, state)) throw initiativeNotFound();
}
