// Integration tests wait on real services: joins, rebalances, restarts.
jest.setTimeout(120_000);
