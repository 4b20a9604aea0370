/**
 * Faults chained within one 60 s load run: a broker restart, a 20 s hang
 * (SIGSTOP, longer than every session timeout), and a second restart, this
 * one a crash (SIGKILL). /health turns 503 during the hang and is 200 at
 * the end (between the hang and the crash a processor may still be
 * restoring its stores: broker-hang.test.ts checks the way back to 200);
 * every group catches up by itself; the outputs are exact.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario, someHealth } from './support/scenario-verdict';

const LOAD_MS = 60_000;
const HANG_MS = 20_000;
const broker = usePrivateKafka();
const run = useFaultPipeline();

test(
  `two broker restarts and a ${HANG_MS / 1000} s hang within one ${LOAD_MS / 1000} s run at ${LOAD_RATE} events/s: lag 0 within 30 s, outputs exact`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-chain');
      const sinkEnv = { SINK_SESSION_TIMEOUT_MS: '8000' };
      await fault.startAll({ 'redis-sink': sinkEnv, 'clickhouse-sink': sinkEnv });
      const health = fault.pollHealth(500);
      const loadStart = Date.now();
      const load = fault.startLoad(LOAD_MS);
      const until = (offsetMs: number) => sleep(Math.max(0, loadStart + offsetMs - Date.now()));

      await until(5_000);
      const restart1 = Date.now();
      await broker.restart();
      const back1 = Date.now();
      await until(16_000);
      const pausedAt = Date.now();
      broker.pause();
      await sleep(HANG_MS);
      broker.resume();
      const resumedAt = Date.now();
      await until(46_000);
      const restart2 = Date.now();
      await broker.restart({ hard: true });
      const back2 = Date.now();
      const summary = await load.done;
      const loadEnd = Date.now();

      await finishScenario(fault, 'fault chain', {
        faultEndedAt: back2,
        loadEndedAt: loadEnd,
        loads: [summary],
        services: SERVICE_NAMES,
        verdicts: [
          {
            check: 'every fault began within the load run',
            ok: restart2 < loadStart + LOAD_MS,
            detail: `restart at +${((restart1 - loadStart) / 1000).toFixed(1)} s, hang +${((pausedAt - loadStart) / 1000).toFixed(1)}–${((resumedAt - loadStart) / 1000).toFixed(1)} s, crash+start +${((restart2 - loadStart) / 1000).toFixed(1)}–${((back2 - loadStart) / 1000).toFixed(1)} s`,
          },
        ],
        timings: { 'restart 1': back1 - restart1, hang: resumedAt - pausedAt, 'crash and start': back2 - restart2 },
        after: () =>
          fault.instances.flatMap((instance) => {
            const samples = health.samples.get(instance.label) ?? [];
            const last = samples[samples.length - 1];
            return [
              someHealth(instance.label, health.between(instance.label, pausedAt, resumedAt), (s) => s === 503, 'is 503 at some point during the hang'),
              { check: `${instance.label} /health is 200 at the end`, ok: last?.status === 200, detail: `last sample ${last?.status ?? 'none'}` },
            ];
          }),
      });
    }),
  900_000,
);
