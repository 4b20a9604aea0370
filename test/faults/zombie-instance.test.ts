/**
 * Fault: a zombie processor instance. Under load, the order aggregator's
 * only instance is frozen (SIGSTOP) past its session timeout; a second
 * instance starts and takes its partitions; the first is resumed (SIGCONT)
 * while the load goes on. The resumed instance must be fenced: no record
 * batch of its producers, at the producer epoch it had before the pause, is
 * committed after it resumed (a write under a newer epoch, after it rejoined
 * the group and took partitions again, is a legitimate owner's). Then every
 * group catches up by itself and the outputs are exact.
 */
import { LOAD_RATE, SERVICE_NAMES, sleep, useFaultPipeline } from './support/fault-pipeline';
import { usePrivateKafka } from './support/private-kafka';
import { finishScenario } from './support/scenario-verdict';
import { readTopic, ReadRecord, Verdict } from './support/exactness';

const SESSION_TIMEOUT_MS = 10_000;
const COMMITTED = { result: 'committed' };
const broker = usePrivateKafka();
const run = useFaultPipeline();

/** Per producer id, the highest epoch among batches created before `before`. */
function epochsBefore(records: readonly ReadRecord[], before: number): Map<string, number> {
  const epochs = new Map<string, number>();
  for (const r of records) {
    if (r.batch === undefined || !r.batch.inTransaction || r.timestamp >= before) continue;
    epochs.set(r.batch.producerId, Math.max(epochs.get(r.batch.producerId) ?? -1, r.batch.producerEpoch));
  }
  return epochs;
}

test(
  `a zombie order-aggregator resumed after another took over, under ${LOAD_RATE} events/s: it is fenced and writes nothing; outputs exact`,
  () =>
    run.scenario(async () => {
      const fault = await run.create(broker, 'fault-zombie');
      const env = { PROCESSOR_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) };
      const { 'order-aggregator': zombie } = await fault.startAll({ 'order-aggregator': env });
      const load = fault.startLoad(55_000);
      await sleep(12_000);
      const commitsBeforePause = await fault.metric(zombie, 'processor_commits_total', COMMITTED);
      const pausedAt = Date.now();
      process.kill(zombie.child.pid!, 'SIGSTOP');
      const successor = await fault.startService('order-aggregator', env);
      // past the zombie's session timeout, with time for the successor to be given every partition and fence the old producers
      await sleep(Math.max(0, pausedAt + SESSION_TIMEOUT_MS + 8_000 - Date.now()));
      const resumedAt = Date.now();
      process.kill(zombie.child.pid!, 'SIGCONT');
      let commitsAfterResume: number | undefined;
      while (commitsAfterResume === undefined && Date.now() < resumedAt + 10_000)
        commitsAfterResume = await fault.metric(zombie, 'processor_commits_total', COMMITTED);
      const summary = await load.done;
      const zombieLog = () =>
        fault
          .tail(zombie.logFile, 100_000)
          .split('\n')
          .filter((line) => Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? '') >= resumedAt);

      await finishScenario(fault, 'zombie instance', {
        faultEndedAt: resumedAt,
        loadEndedAt: Date.now(),
        loads: [summary],
        services: SERVICE_NAMES,
        timings: { 'zombie paused': resumedAt - pausedAt },
        after: async (report): Promise<Verdict[]> => {
          const { topics } = fault.pipeline;
          // what only the aggregator writes: its output and its changelog
          const written = [...report.orderStates, ...(await readTopic(fault, topics.pendingPayments))];
          const zombieEpochs = epochsBefore(written, pausedAt);
          const zombieWrites = written.filter(
            (r) => r.batch && r.timestamp >= resumedAt && (zombieEpochs.get(r.batch.producerId) ?? -1) >= r.batch.producerEpoch,
          );
          const commitsAtEnd = await fault.metric(zombie, 'processor_commits_total', COMMITTED);
          const fencedLines = zombieLog().filter((line) => /fenc/i.test(line));
          return [
            {
              check: 'the zombie wrote nothing after it resumed (no committed batch at its pre-pause producer epoch)',
              ok: zombieWrites.length === 0 && zombieEpochs.size > 0,
              detail:
                zombieEpochs.size === 0
                  ? `no transactional batch before the pause to identify the zombie by: the scenario proved nothing (${written.length} records, ${written.filter((r) => r.batch?.inTransaction).length} transactional, timestamps ${new Date(Math.min(...written.map((r) => r.timestamp))).toISOString()}…${new Date(Math.max(...written.map((r) => r.timestamp))).toISOString()}, paused ${new Date(pausedAt).toISOString()})`
                  : zombieWrites.length === 0
                    ? `${zombieEpochs.size} producer ids identified; none wrote at its old epoch after the resume`
                    : `${zombieWrites.length} records, e.g. ${zombieWrites
                        .slice(0, 3)
                        .map(
                          (r) =>
                            `${r.topic.slice(fault.prefix.length)}[${r.partition}]@${r.offset} producer ${r.batch!.producerId} epoch ${r.batch!.producerEpoch} at ${new Date(r.timestamp).toISOString()}`,
                        )
                        .join(', ')}`,
            },
            {
              check: 'zombie commits (info: a resumed instance may rejoin and own partitions again legitimately)',
              ok: true,
              detail: `processor_commits_total{committed}: ${commitsBeforePause} before the pause, ${commitsAfterResume} first after the resume, ${commitsAtEnd} at the end; successor ${successor.label}; ${fencedLines.length} log lines about fencing after the resume${fencedLines[0] ? `, first: ${fencedLines[0].slice(0, 300)}` : ''}`,
            },
          ];
        },
      });
    }),
  900_000,
);
