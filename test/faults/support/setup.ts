// Fault scenarios run a whole pipeline through broker restarts and hangs: minutes, not seconds.
jest.setTimeout(600_000);
