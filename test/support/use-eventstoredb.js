// Selects the EventStoreDB adapter for the end-to-end suite (jest project e2e-eventstoredb). No EventStoreDB server
// runs on this machine: the adapter talks gRPC to the wire-level double of test/eventstoredb-double.
process.env.ACCORD_TEST_EVENT_STORE = 'eventstoredb';
