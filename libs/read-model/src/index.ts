export * from './initiative-view';
