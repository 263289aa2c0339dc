import { foldInitiative, InitiativeEvent, InitiativeState } from '@accord/domain';
import { StoredEvent, toDecidedEvent } from '@accord/event-store';

/** An initiative's state from its stored events, for readers. */
export function foldStored(events: readonly StoredEvent[]): InitiativeState {
  return foldInitiative(events.map((event) => toDecidedEvent<InitiativeEvent>(event)));
}
