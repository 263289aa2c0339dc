import { InitiativeEvent, INITIATIVE_EVENT_TYPES, InitiativeEventType } from './events';
import { foldInitiative, InitiativeState } from './state';
import { Actor } from './types';

/** The schema version of the events the decider records now (docs/events.md). */
export const SCHEMA_VERSION = 2;

/** A stored event as a store reads it: its type, the version its data was written at, and what it carries. */
export interface RecordedEvent {
  type: string;
  data: object;
  actor: { sub: string; role: string; country: string | null };
  occurredAt: string;
  metadata: { schemaVersion: number };
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** Version 1 → 2: nothing was signed; no sign-off or change request named the hash of the text. */
const unsigned: Upcaster = (data) => ({ ...data, signature: null });
const unsignedUnhashed: Upcaster = (data) => ({ ...data, proposalHash: null, signature: null });
const FROM_VERSION_1: Record<InitiativeEventType, Upcaster> = {
  InitiativeProposed: unsigned,
  NationalSignOffRecorded: unsignedUnhashed,
  ChangesRequested: unsignedUnhashed,
  InitiativeAmended: unsigned,
  InitiativeApproved: unsigned,
  InitiativeRejected: unsigned,
  InitiativeWithdrawn: unsigned,
  SignOffDeadlineExpired: unsigned,
  FundingDecisionRecorded: unsigned,
};

const upcasterKey = (type: string, fromVersion: number) => `${type}@${fromVersion}`;

/** The one registry: per event type and the version it reads, the function to the next version. */
const UPCASTERS: ReadonlyMap<string, Upcaster> = new Map(
  INITIATIVE_EVENT_TYPES.map((type) => [upcasterKey(type, 1), FROM_VERSION_1[type]]),
);

/**
 * An initiative event as the current schema reads it, whatever version it was stored at. The decider, the
 * projections and the API read stored events through here; the stored bytes, and so the hash chain, never change.
 */
export function initiativeEventOf(recorded: RecordedEvent): InitiativeEvent {
  let data = recorded.data as Record<string, unknown>;
  for (let version = recorded.metadata.schemaVersion; version < SCHEMA_VERSION; version++) {
    const upcast = UPCASTERS.get(upcasterKey(recorded.type, version));
    if (!upcast) throw new Error(`No upcaster for ${recorded.type} at schema version ${version}`);
    data = upcast(data);
  }
  return {
    type: recorded.type,
    data,
    metadata: { actor: recorded.actor as Actor, occurredAt: recorded.occurredAt },
  } as InitiativeEvent;
}

/** How a write path reads the initiative's stored events, and the version it stores new ones at. */
export const INITIATIVE_EVENT_SCHEMA = { read: initiativeEventOf, schemaVersion: SCHEMA_VERSION };

/** The state a stored history leaves, read through the upcasters. */
export function foldRecorded(events: readonly RecordedEvent[]): InitiativeState {
  return foldInitiative(events.map(initiativeEventOf));
}
