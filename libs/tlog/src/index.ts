export * from './merkle';
export * from './proof';
export * from './compact-range';
export * from './note';
export * from './checkpoint';
export * from './cosignature';
