import { ACCORD_CLI_V8_FLAGS, relaunchWithV8Flags } from './v8-flags';

// Imported first by the `accord` command's entry point (apps/cli/src/main.ts).
relaunchWithV8Flags(ACCORD_CLI_V8_FLAGS);
