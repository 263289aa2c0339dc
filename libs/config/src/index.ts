export * from './config';
export * from './jwt-secret';
export * from './log-key';
