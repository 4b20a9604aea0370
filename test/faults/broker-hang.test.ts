/**
 * Fault: the broker hangs (SIGSTOP) for 20 s, longer than every session
 * timeout (processors 10 s, sinks 8 s), under load, then resumes (SIGCONT).
 * Every service's /health, polled every 500 ms, turns 503 during the hang
 * and 200 again after; every group catches up by itself; outputs exact.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario, someHealth } from './support/scenario-verdict';

const HANG_MS = 20_000;
const broker = usePrivateKafka();
const run = useFaultPipeline();

test(
  `broker hang of ${HANG_MS / 1000} s under ${LOAD_RATE} events/s: /health 503 during it, 200 after; lag 0 within 30 s; outputs exact`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-hang');
      const sinkEnv = { SINK_SESSION_TIMEOUT_MS: '8000' };
      await fault.startAll({ 'redis-sink': sinkEnv, 'clickhouse-sink': sinkEnv });
      const health = fault.pollHealth(500);
      const load = fault.startLoad(45_000);
      await sleep(12_000);
      const pausedAt = Date.now();
      broker.pause();
      await sleep(HANG_MS);
      broker.resume();
      const resumedAt = Date.now();
      const summary = await load.done;
      await finishScenario(fault, 'broker hang', {
        faultEndedAt: resumedAt,
        loadEndedAt: Date.now(),
        loads: [summary],
        services: SERVICE_NAMES,
        timings: { hang: resumedAt - pausedAt },
        after: () =>
          fault.instances.flatMap((instance) => {
            const samples = health.samples.get(instance.label) ?? [];
            const last = samples[samples.length - 1];
            return [
              someHealth(instance.label, health.between(instance.label, pausedAt, resumedAt), (s) => s === 503, 'is 503 at some point during the hang'),
              someHealth(instance.label, health.between(instance.label, resumedAt, Date.now()), (s) => s === 200, 'is 200 again after the hang'),
              {
                check: `${instance.label} /health is 200 at the end`,
                ok: last?.status === 200,
                detail: `last sample ${last?.status ?? 'none'} ${JSON.stringify(last?.detail ?? null).slice(0, 300)}`,
              },
            ];
          }),
      });
    }),
  900_000,
);
