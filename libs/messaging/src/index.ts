export * from './cloud-event';
export * from './kafka-publisher';
export * from './relay-checkpoint-store';
export * from './relay';
export * from './start-relay';
