// The projector's thread when Accord runs from its TypeScript sources (the tests): its entry compiled on load. The
// compiled app starts projector-thread.worker.js instead, and never loads this file.
require('ts-node').register({ transpileOnly: true });
require('tsconfig-paths/register');
require('./projector-thread.worker.ts');
