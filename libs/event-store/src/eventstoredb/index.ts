export {
  EventStoreDbEventStore,
  IDEMPOTENCY_STREAM_PREFIX,
  openEventStoreDb,
} from './eventstoredb-event-store';
export type { EventStoreDbEventStoreOptions } from './eventstoredb-event-store';
