/**
 * A single KRaft broker+controller owned by one test file, so fault tests can
 * restart, kill and freeze a broker without touching the shared one that
 * scripts/infra runs. Same jars and base configuration as scripts/infra
 * (scripts/infra.d/kafka/server.properties, filled the same way), on free
 * ports, in a temporary directory, with overrides that make faults show up
 * in seconds instead of minutes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../sinks/bench/private-redis';
import { ROOT } from '../../integration/support/pipeline';
import { INFRA_ENV_FILE, infraSetting } from '../../../lib/service/infra-versions';

const CONF_DIR = path.join(ROOT, 'scripts', 'infra.d');

/** Overrides on top of the shared broker's configuration; each makes a fault observable quickly. */
const FAULT_OVERRIDES: Readonly<Record<string, string>> = {
  // a transaction over transaction.timeout.ms is aborted within a second, not within 10 s
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
  // a group forms as soon as its first member joins (the shared template says so too; a fault test must not depend on it)
  'group.initial.rebalance.delay.ms': '0',
};

/** The Kafka installation scripts/infra made: .infra/cache/kafka-$KAFKA_VERSION, libs/ holding the jars. */
export function kafkaHome(): string {
  const version = infraSetting('KAFKA_VERSION');
  if (version === undefined) throw new Error(`${INFRA_ENV_FILE} declares no KAFKA_VERSION`);
  const home = path.join(ROOT, '.infra', 'cache', `kafka-${version}`);
  if (!existsSync(path.join(home, '.complete')) || !existsSync(path.join(home, 'libs'))) {
    throw new Error(`Kafka ${version} is not installed in ${home}: run scripts/infra up`);
  }
  return home;
}

/** A random KRaft cluster id: 16 bytes as URL-safe base64 without padding, what StorageTool random-uuid prints (saves one JVM start). */
function clusterId(): string {
  // StorageTool would take a leading '-' for an option
  let id: string;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PrivateKafkaOptions {
  /** JVM heap options (default -Xms128m -Xmx512m). */
  readonly heap?: string;
  /** More server.properties entries (win over the defaults). */
  readonly overrides?: Readonly<Record<string, string>>;
}

export class PrivateKafka {
  readonly dir: string;
  readonly logPath: string;
  private readonly confPath: string;
  private readonly stdoutPath: string;
  private port = 0;
  private controllerPort = 0;
  private child: ChildProcess | undefined;
  /** Byte offset of server.log where the current run's lines start: "started" must be this run's. */
  private runLogStart = 0;

  constructor(private readonly options: PrivateKafkaOptions = {}) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'streamfold-kafka-'));
    this.logPath = path.join(this.dir, 'logs', 'server.log');
    this.confPath = path.join(this.dir, 'server.properties');
    this.stdoutPath = path.join(this.dir, 'logs', 'stdout.log');
  }

  get brokers(): string {
    if (this.port === 0) throw new Error('the private broker was never started');
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** First start: picks ports, writes the configuration, formats the storage, starts and waits until ready. */
  async start(): Promise<void> {
    if (this.port === 0) {
      this.port = await freePort();
      this.controllerPort = await freePort();
      mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
      this.writeConfig();
      await this.format();
    }
    this.launch();
    await this.waitReady();
  }

  /** Graceful stop (SIGTERM: controlled shutdown), resolved once the JVM exited. */
  async stop(timeoutMs = 60_000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running()) return;
    if (child.signalCode === null) process.kill(child.pid!, 'SIGCONT'); // a paused JVM cannot act on SIGTERM
    child.kill('SIGTERM');
    const exited = await Promise.race([onExit(child).then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exited) {
      child.kill('SIGKILL');
      await onExit(child);
    }
  }

  /** SIGKILL: the broker vanishes without a controlled shutdown. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running()) return;
    child.kill('SIGKILL');
    await onExit(child);
  }

  /** Stops (gracefully unless `hard`) and starts again on the same ports and data. */
  async restart(options: { hard?: boolean } = {}): Promise<void> {
    if (options.hard) await this.kill();
    else await this.stop();
    this.launch();
    await this.waitReady();
  }

  /** Starts again after stop() or kill() (same ports and data). */
  async startAgain(): Promise<void> {
    if (this.running()) throw new Error('the private broker is still running');
    this.launch();
    await this.waitReady();
  }

  /** SIGSTOP: the broker keeps its sockets open and answers nothing (a hung JVM, a long GC pause). */
  pause(): void {
    if (!this.running()) throw new Error('the private broker is not running');
    process.kill(this.child!.pid!, 'SIGSTOP');
  }

  resume(): void {
    if (!this.running())
      throw new Error(
        `the private broker is not running (it exited while paused: ${this.child?.exitCode ?? this.child?.signalCode}; a paused JVM dies only of SIGKILL, e.g. the OOM killer or another process)`,
      );
    process.kill(this.child!.pid!, 'SIGCONT');
  }

  /** Until the port accepts connections and this run's log says "Kafka Server started". */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running())
        throw new Error(`the private broker exited (${this.child?.exitCode ?? this.child?.signalCode}); see ${this.logPath} and ${this.stdoutPath}`);
      if ((await portOpen(this.port)) && this.logSinceRunStart().includes('Kafka Server started')) return;
      if (Date.now() > deadline) throw new Error(`the private broker was not ready within ${timeoutMs} ms; see ${this.logPath}`);
      await sleep(200);
    }
  }

  /** server.log as written so far (every run). */
  log(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  /** Always safe to call: kills the JVM and removes the directory. */
  async cleanup(): Promise<void> {
    const child = this.child;
    if (child !== undefined && this.running()) {
      try {
        process.kill(child.pid!, 'SIGCONT');
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
      await onExit(child);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private logSinceRunStart(): string {
    if (!existsSync(this.logPath)) return '';
    const text = readFileSync(this.logPath);
    return text.subarray(Math.min(this.runLogStart, text.length)).toString('utf8');
  }

  private writeConfig(): void {
    // the same substitutions scripts/infra's fill_template makes
    const template = readFileSync(path.join(CONF_DIR, 'kafka', 'server.properties'), 'utf8')
      .replaceAll('@INFRA@', this.dir)
      .replaceAll('@KAFKA_PORT@', String(this.port))
      .replaceAll('@KAFKA_CONTROLLER_PORT@', String(this.controllerPort));
    const overrides = { ...FAULT_OVERRIDES, ...this.options.overrides };
    const kept = template.split('\n').filter((line) => !Object.keys(overrides).some((key) => line.startsWith(`${key}=`)));
    writeFileSync(
      this.confPath,
      `${kept.join('\n')}\n# fault-test overrides\n${Object.entries(overrides)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
  }

  private javaArgs(): string[] {
    return [
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${path.join(this.dir, 'logs')}`,
      `-Dlog4j2.configurationFile=${path.join(CONF_DIR, 'kafka', 'log4j2.properties')}`,
      '-cp',
      `${path.join(kafkaHome(), 'libs')}/*`,
    ];
  }

  private async format(): Promise<void> {
    const child = spawn('java', ['-Xmx256m', ...this.javaArgs(), 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', this.confPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await onExit(child);
    if (code !== 0) throw new Error(`formatting the private broker's storage failed (${code}): ${stderr.slice(-2000)}`);
  }

  private launch(): void {
    this.runLogStart = existsSync(this.logPath) ? statSync(this.logPath).size : 0;
    const out = openSync(this.stdoutPath, 'a');
    try {
      const heap = (this.options.heap ?? '-Xms128m -Xmx512m').split(/\s+/);
      this.child = spawn('java', [...heap, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', ...this.javaArgs(), 'kafka.Kafka', this.confPath], {
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
  }
}

function onExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * A private broker for the test file: started in beforeAll, killed and
 * removed in afterAll whatever happened (register at the top level of the file).
 */
export function usePrivateKafka(options: PrivateKafkaOptions = {}): PrivateKafka {
  const kafka = new PrivateKafka(options);
  beforeAll(async () => kafka.start(), 180_000);
  afterAll(async () => kafka.cleanup(), 120_000);
  return kafka;
}
