/**
 * Fault: the broker restarts (controlled shutdown, start on the same data)
 * in the middle of a load run through all five services. Afterwards every
 * group catches up by itself and the outputs are exact.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario } from './support/scenario-verdict';

const broker = usePrivateKafka();
const run = useFaultPipeline();

test(
  `broker restart under ${LOAD_RATE} events/s: every group back to lag 0 within 30 s, outputs exact`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-restart');
      await fault.startAll();
      const load = fault.startLoad(40_000);
      await sleep(15_000);
      const down = Date.now();
      await broker.restart();
      const faultEndedAt = Date.now();
      const summary = await load.done;
      await finishScenario(fault, 'broker restart', {
        faultEndedAt,
        loadEndedAt: Date.now(),
        loads: [summary],
        services: SERVICE_NAMES,
        timings: { 'broker down': faultEndedAt - down },
      });
    }),
  900_000,
);
