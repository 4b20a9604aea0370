/**
 * Small typed readers over an environment map. Each collects a problem
 * (naming the variable, what is wrong and what would be accepted) instead of
 * throwing, so start-up reports every bad variable at once.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.problem(`${name}="${value}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problem(`${name}="${value}" must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value.toLowerCase());
    if (match === undefined) {
      this.problem(`${name}="${value}" must be one of: ${allowed.join(', ')}`);
      return fallback;
    }
    return match;
  }

  url(name: string, fallback: string, protocols: readonly string[]): string {
    const value = this.raw(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problem(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol} in ${redactUrl(value)})`);
      }
    } catch {
      this.problem(`${name}="${redactUrl(value)}" is not a URL (expected e.g. ${fallback})`);
    }
    return value;
  }

  /** host:port,host:port */
  hostPorts(name: string, fallback: string): string[] {
    const value = this.raw(name) ?? fallback;
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = entries.filter((entry) => !/^[^\s:/]+:\d{1,5}$/.test(entry));
    if (entries.length === 0 || bad.length > 0) {
      this.problem(`${name}="${value}" must be a comma-separated list of host:port (bad: ${bad.join(', ') || 'empty'})`);
    }
    return entries;
  }

  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** Removes a password from a URL so it can be shown in errors and logs. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]*):([^@]*)@/, '//$1:***@');
}
