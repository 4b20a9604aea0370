/** Where a benchmark ran, shared by every benchmark: figures mean little without the machine. */
import os from 'node:os';

export interface MachineDescription {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly kafkajs: string;
  readonly ioredis: string;
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
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
    kafkajs: packageVersion('kafkajs'),
    ioredis: packageVersion('ioredis'),
  };
}
