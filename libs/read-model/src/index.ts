export * from './initiative-view';
export * from './projection/initiative-projection';
export * from './store/read-store';
export * from './projector';
export * from './rebuild';
export * from './deadline-scheduler';
