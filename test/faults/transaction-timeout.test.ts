/**
 * Fault: the broker aborts a processor's transaction for exceeding
 * transaction.timeout.ms. The order aggregator runs with a 3 s transaction
 * timeout and a 30 s session timeout, and is frozen (SIGSTOP) for 6 s a few
 * times under load: it keeps its partitions, but the transaction it had
 * open is rolled back by the broker. The broker's log must show such a
 * rollback (else the scenario proved nothing); then every group catches up
 * by itself and the outputs are exact.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario } from './support/scenario-verdict';

const PAUSES = 4;
const PAUSE_MS = 6_000;
const TIMED_OUT = /Completed rollback of ongoing transaction for transactionalId (\S+) due to timeout/g;
const broker = usePrivateKafka();
const run = useFaultPipeline();

test(
  `a transaction aborted by the broker for its timeout under ${LOAD_RATE} events/s: lag 0 within 30 s, outputs exact`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-txn');
      const { 'order-aggregator': aggregator } = await fault.startAll({
        'order-aggregator': { PROCESSOR_TRANSACTION_TIMEOUT_MS: '3000', PROCESSOR_SESSION_TIMEOUT_MS: '30000' },
      });
      const load = fault.startLoad(50_000);
      await sleep(8_000);
      let lastResume = Date.now();
      for (let i = 0; i < PAUSES; i++) {
        process.kill(aggregator.child.pid!, 'SIGSTOP');
        await sleep(PAUSE_MS);
        process.kill(aggregator.child.pid!, 'SIGCONT');
        lastResume = Date.now();
        await sleep(5_000);
      }
      const summary = await load.done;
      await finishScenario(fault, 'transaction timed out by the broker', {
        faultEndedAt: lastResume,
        loadEndedAt: Date.now(),
        loads: [summary],
        services: SERVICE_NAMES,
        after: () => {
          const ids = [...broker.log().matchAll(TIMED_OUT)].map((m) => m[1]!).filter((id) => id.includes('order-aggregator'));
          return [
            {
              check: "the broker rolled back at least one of the aggregator's transactions for its timeout",
              ok: ids.length > 0,
              detail:
                ids.length > 0
                  ? `${ids.length} rollbacks: ${[...new Set(ids)].join(', ')}`
                  : `no "Completed rollback of ongoing transaction ... due to timeout" line for the aggregator in ${broker.logPath}: the scenario did not test what it claims`,
            },
          ];
        },
      });
    }),
  900_000,
);
