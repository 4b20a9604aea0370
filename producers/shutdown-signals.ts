/**
 * Graceful stop for the producer CLIs: the first SIGTERM or SIGINT asks the
 * command to stop taking input and flush what it has (so nothing accepted is
 * lost and the summary is printed); a second one exits at once.
 */
export interface ShutdownWatch {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** Removes the handlers (call when the command ends). */
  dispose(): void;
}

const EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

export function watchShutdownSignals(onSignal: (signal: NodeJS.Signals) => void = () => {}): ShutdownWatch {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: exiting without flushing\n`);
      process.exit(EXIT_CODES[signal] ?? 1);
    }
    controller.abort(new Error(`stopped by ${signal}`));
    onSignal(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
