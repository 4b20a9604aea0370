/** Where a benchmark ran, shared by every benchmark: figures mean little without the machine. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { infraSetting } from '../service/infra-versions';
import { PROJECT_ROOT } from '../service/project-root';

export interface MachineDescription {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemoryGiB: number;
  readonly platform: string;
  readonly node: string;
  /** The project's Kafka client and its version. */
  readonly kafkaClient: string;
  /** The broker version scripts/infra runs. */
  readonly kafka: string;
  readonly ioredis: string;
}

// read from node_modules: not every package exports its package.json
function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): MachineDescription {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    kafkaClient: `@platformatic/kafka ${packageVersion('@platformatic/kafka')}`,
    kafka: infraSetting('KAFKA_VERSION') ?? 'unknown',
    ioredis: packageVersion('ioredis'),
  };
}
