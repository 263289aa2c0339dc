import {
  evolve,
  Initiative,
  initiativeIdOf,
  InitiativeEvent,
  InitiativeState,
  isProposed,
} from '@accord/domain';
import { StoredEvent, toDecidedEvent } from '@accord/event-store';

/** One initiative's row of the read model: its folded state and what lists filter and sort on. */
export interface InitiativeRow {
  initiativeId: string;
  state: Initiative;
  revision: number;
  /** Global log position of the proposal: lists are newest first by it, and it makes a stable cursor. */
  createdPosition: number;
}

/**
 * Applies a batch of the global log to the rows it touches. Pure: the caller loads the rows, and writes
 * back the ones returned, in one transaction with the batch's last position as the checkpoint.
 */
export function projectBatch(
  rows: Map<string, InitiativeRow>,
  events: readonly StoredEvent[],
): Map<string, InitiativeRow> {
  const changed = new Map<string, InitiativeRow>();
  for (const event of events) {
    const initiativeId = initiativeIdOf(event.streamId);
    if (initiativeId === null) continue;
    const current = changed.get(initiativeId) ?? rows.get(initiativeId);
    const before: InitiativeState = current?.state ?? { status: 'not-proposed' };
    const state = evolve(before, toDecidedEvent<InitiativeEvent>(event));
    if (!isProposed(state)) continue;
    changed.set(initiativeId, {
      initiativeId,
      state,
      revision: event.revision,
      createdPosition: current?.createdPosition ?? event.position,
    });
  }
  return changed;
}

/** The initiative ids a batch touches. */
export function initiativeIdsOf(events: readonly StoredEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const initiativeId = initiativeIdOf(event.streamId);
    if (initiativeId !== null) ids.add(initiativeId);
  }
  return [...ids];
}
