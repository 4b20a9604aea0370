/**
 * Fault: the group coordinator goes away while a group rebalances. Under
 * load, a second order-aggregator instance starts and the broker restarts
 * the moment its group is seen rebalancing; later the first instance stops
 * (SIGTERM) and the broker restarts again mid-rebalance. Every group
 * catches up by itself and the outputs are exact.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario } from './support/scenario-verdict';
import type { Verdict } from './support/exactness';

const broker = usePrivateKafka();
const run = useFaultPipeline();

test(
  `coordinator moving during rebalances under ${LOAD_RATE} events/s: lag 0 within 30 s, outputs exact`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-coord');
      const first = await fault.startAll();
      const load = fault.startLoad(50_000);
      const verdicts: Verdict[] = [];
      await sleep(10_000);

      // a member joins: the broker goes away while the group rebalances
      const joining = fault.startService('order-aggregator');
      const sawJoin = await fault.waitForRebalance('order-aggregator', 20_000);
      const down1 = Date.now();
      await broker.restart();
      const back1 = Date.now();
      await joining;
      verdicts.push({
        check: 'the restart hit a rebalance (a member joining)',
        ok: sawJoin,
        detail: sawJoin ? 'group seen rebalancing just before the restart' : 'no rebalance seen within 20 s: the scenario did not test what it claims',
      });

      await sleep(8_000);
      // a member leaves: same again
      const stopping = fault.stopService(first['order-aggregator']);
      const sawLeave = await fault.waitForRebalance('order-aggregator', 20_000);
      const down2 = Date.now();
      await broker.restart();
      const back2 = Date.now();
      verdicts.push({
        check: 'the restart hit a rebalance (a member leaving)',
        ok: sawLeave,
        detail: sawLeave ? 'group seen rebalancing just before the restart' : 'no rebalance seen within 20 s',
      });
      const stopCode = await stopping;
      verdicts.push({ check: 'the stopped instance exits 0 within 60 s of SIGTERM', ok: stopCode === 0, detail: `exit ${stopCode}` });

      const summary = await load.done;
      await finishScenario(fault, 'coordinator moving', {
        faultEndedAt: back2,
        loadEndedAt: Date.now(),
        loads: [summary],
        services: SERVICE_NAMES,
        verdicts,
        timings: { 'restart 1': back1 - down1, 'restart 2': back2 - down2 },
      });
    }),
  900_000,
);
