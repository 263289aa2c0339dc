export * from './fence';
export * from './lease-store';
export * from './leadership';
export * from './postgres-sessions';
