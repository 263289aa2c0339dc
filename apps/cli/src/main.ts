import '@accord/runtime/with-cli-v8-flags';
import 'reflect-metadata';
import { runCli } from './cli';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`accord: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
