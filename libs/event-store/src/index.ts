export * from './event-record';
export * from './errors';
export * from './event-store';
export * from './in-memory/in-memory-event-store';
export * from './sqlite/sqlite-event-store';
export * from './sqlite/preparing-once';
export * from './decision-handler';
export { sleep } from './sleep';
