import { ACCORD_V8_FLAGS, missingV8Flags } from './v8-flags';

/*
 * Imported first by each entry point (apps/<name>/src/main.ts): a process started without Accord's V8 flags
 * replaces itself by the same command with them, before it loads anything else. V8 sizes its heap when the process
 * starts (v8.setFlagsFromString afterwards changes nothing of it), hence the new process image; execve keeps the
 * pid and the standard streams, so supervisors, signals and `kill` see one process. A flag the command line or
 * NODE_OPTIONS already sets keeps the value given there. Where process.execve is missing (Windows, Node.js before
 * 22.15) the process goes on with V8's own sizing.
 */
const missing = missingV8Flags(ACCORD_V8_FLAGS, process.execArgv, process.env.NODE_OPTIONS);
if (missing.length > 0 && process.execve)
  process.execve(process.execPath, [
    process.execPath,
    ...missing,
    ...process.execArgv,
    ...process.argv.slice(1),
  ]);
