/**
 * Fault: services start while the broker is down. With the topics in place,
 * the broker stops; every service (processors and sinks) is started; the
 * broker comes back 15 s later. Each must wait (alive, /health answering 503)
 * and connect by itself (none exits, none is restarted by the test), turn
 * ready, then process a load run exactly.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario, someHealth } from './support/scenario-verdict';

const DOWN_MS = 15_000;
const READY_WITHIN_MS = 60_000;
const broker = usePrivateKafka();
const run = useFaultPipeline();

test(
  `services started while the broker is down connect when it is back ${DOWN_MS / 1000} s later, then process ${LOAD_RATE} events/s exactly`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-startdown');
      await broker.stop();
      const startedAt = Date.now();
      // /health answers (503) while a service waits for Kafka
      await fault.startAll({}, DOWN_MS);
      const health = fault.pollHealth(500);
      await sleep(Math.max(0, startedAt + DOWN_MS - Date.now()));
      const downUntil = Date.now();
      await broker.startAgain();
      const backAt = Date.now();
      const deadline = backAt + READY_WITHIN_MS;
      const allReady = () => fault.instances.every((i) => (health.samples.get(i.label) ?? []).some((s) => s.at > backAt && s.status === 200));
      while (!allReady() && Date.now() < deadline) await sleep(250);
      const up = Date.now();
      const summary = await fault.startLoad(25_000).done;
      await finishScenario(fault, 'services started while the broker is down', {
        faultEndedAt: backAt,
        loadEndedAt: Date.now(),
        loads: [summary],
        services: SERVICE_NAMES,
        timings: { 'broker down after the services started': backAt - startedAt, 'every service ready after the broker was back': up - backAt },
        after: () =>
          fault.instances.flatMap((instance) => [
            someHealth(instance.label, health.between(instance.label, startedAt, downUntil), (s) => s === 503, 'is 503 while it waits for Kafka'),
            someHealth(
              instance.label,
              health.between(instance.label, backAt, deadline),
              (s) => s === 200,
              `is 200 within ${READY_WITHIN_MS / 1000} s of the broker back`,
            ),
          ]),
      });
    }),
  900_000,
);
