/**
 * Setup of the unit project: a unit test sets the environment it needs itself. Under `npm test`
 * the workers start from the process that holds the integration tests' local runtime
 * (global-setup.ts), which set its handlers' environment (the local queue, event bus file,
 * emulator endpoints, ...); without this a unit test would behave differently alone and in the
 * suite. The runtime names what it set (infra/local/runtime.ts LOCAL_RUNTIME_ENV).
 */
const LOCAL_RUNTIME_ENV = 'CRM_LOCAL_RUNTIME_ENV';

for (const name of process.env[LOCAL_RUNTIME_ENV]?.split(',') ?? []) delete process.env[name];
delete process.env[LOCAL_RUNTIME_ENV];
