/**
 * Load generator runner: the CLI, and `runLoadgen` for in-process callers
 * (the end-to-end pipeline command).
 *
 *   npm run loadgen -- --orders 10000 --rate 2000 --seed 42
 *   npm run loadgen -- --duration 60s --rate 2000 --customers 50000 --fraud on --json
 *
 * SIGTERM/SIGINT stops generating, flushes what was generated and prints the summary.
 */
import { EXIT_FAILED, EXIT_OK, runCli } from '../../lib/cli/cli';
import { producerCliContext } from '../cli-context';
import { createPublisher } from '../create-publisher';
import { watchShutdownSignals } from '../shutdown-signals';
import { LOADGEN_USAGE, parseLoadgenArgs } from './run-args';
import { describePlan, formatProgress, renderSummary } from './run-report';
import { runLoadgen } from './runner';
import { GENERATED_TOPICS } from './generated-topics';

export { SYSTEM_CLOCK, planRun, runLoadgen } from './runner';
export type { EventSink, LoadgenRunOptions, RunClock, RunPlan, RunProgress, RunSummary, StopReason } from './runner';

async function main(): Promise<number> {
  const args = parseLoadgenArgs(process.argv.slice(2));
  const { config, logger } = producerCliContext('loadgen');
  const publisher = await createPublisher(config, logger, { topicPrefix: args.prefix ?? config.topicPrefix, clientId: `${config.kafka.clientId}-loadgen` });
  const shutdown = watchShutdownSignals((signal) => process.stderr.write(`\n${signal}: stopping, flushing what was generated\n`));
  try {
    // A missing schema or an unreachable registry shows now, not after the first chunk.
    await publisher.prepareSchemas(GENERATED_TOPICS);
    const summary = await runLoadgen({
      ...args.run,
      publisher,
      signal: shutdown.signal,
      onPlan: (plan) => {
        process.stderr.write(`${describePlan(plan)}\n`);
        for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
      },
      onProgress: (progress) => process.stderr.write(`${formatProgress(progress)}\n`),
    });
    await publisher.close();
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummary(summary)}\n`);
    return summary.stoppedBy === 'signal' ? EXIT_FAILED : EXIT_OK;
  } finally {
    await publisher.close().catch(() => undefined);
    shutdown.dispose();
  }
}

if (require.main === module) runCli(LOADGEN_USAGE, main);
