import { ACCORD_V8_FLAGS, relaunchWithV8Flags } from './v8-flags';

// Imported first by each server's entry point (apps/<name>/src/main.ts).
relaunchWithV8Flags(ACCORD_V8_FLAGS);
