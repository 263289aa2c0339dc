export * from './logger';
export * from './metrics';
export * from './stores';
export * from './workers';
export * from './runtime';
export * from './ops-server';
export * from './readiness';
export * from './process';
