export * from './merkle';
export * from './proof';
export * from './compact-range';
