/**
 * A small client for the Confluent schema registry REST API (Apicurio's
 * ccompat API locally, Confluent's in Docker), covering what the serde and
 * the registry scripts need.
 *
 * Why not @kafkajs/confluent-schema-registry (lib/clients/schema-registry.ts)?
 * It has no call to set a subject's compatibility level, list a subject's
 * versions or look a schema up without registering it, and its register()
 * compares the level it reads with an option and throws on mismatch (see
 * DESIGN.md on Apicurio). Everything here is plain HTTP on Node's fetch.
 *
 * Requests that fail to reach the registry, or get a 5xx, are retried a few
 * times: every call here is idempotent (registering a schema the subject
 * already has returns its id and creates nothing).
 */
import type { SchemaRegistryConfig } from '../config';
import { redactUrl } from '../config/env';
import type { Logger } from '../logger';
import { CompatibilityLevel, isCompatibilityLevel } from './compatibility-level';
import {
  ERROR_CODE,
  RegistryError,
  RegistryRequest,
  RegistryUnavailableError,
  SchemaIncompatibleError,
} from './registry-errors';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface RegistryClientOptions {
  /** Per request, including the body. */
  readonly timeoutMs?: number;
  /** Extra attempts after a network failure or a 5xx. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
}

/** A schema as GET /schemas/ids/{id} serves it. */
export interface SchemaById {
  readonly schema: string;
  /** AVRO, JSON or PROTOBUF; the API omits it for Avro. */
  readonly schemaType: string;
}

/** One version of a subject. */
export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
  readonly schemaType: string;
}

export interface SchemaRef {
  readonly id: number;
  readonly version: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function isRecord(value: Json | undefined): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class RegistryClient {
  /** Base URL without credentials: fetch refuses URLs that carry them. */
  private readonly baseUrl: string;
  private readonly authorization: string | undefined;
  /** For messages: never contains a password. */
  readonly displayUrl: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly logger: Logger | undefined;

  constructor(config: SchemaRegistryConfig, options: RegistryClientOptions = {}) {
    const url = new URL(config.url);
    const username = config.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const password = config.username !== undefined ? config.password ?? '' : decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.displayUrl = redactUrl(config.url);
    this.authorization =
      username !== undefined ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.logger = options.logger?.child({ component: 'schema-registry' });
  }

  /** The schema behind an id written in the wire format; undefined when the registry has no such id. */
  async schemaById(id: number): Promise<SchemaById | undefined> {
    const request = { method: 'GET', path: `/schemas/ids/${id}` };
    const body = await this.request(request, undefined, [ERROR_CODE.schemaNotFound]);
    if (body === undefined) return undefined;
    return { schema: this.string(body, 'schema', request), schemaType: schemaType(body) };
  }

  /**
   * The id and version under which the subject already holds exactly this
   * schema text, without registering anything; undefined when it does not
   * (or the subject does not exist).
   */
  async lookup(subject: string, schema: string): Promise<SchemaRef | undefined> {
    const request = { method: 'POST', path: `/subjects/${encodeURIComponent(subject)}` };
    const body = await this.request(request, { schema }, [ERROR_CODE.subjectNotFound, ERROR_CODE.schemaNotFound]);
    if (body === undefined) return undefined;
    return { id: this.number(body, 'id', request), version: this.number(body, 'version', request) };
  }

  /**
   * Registers the schema under the subject (or returns the id of the
   * identical version it already holds). An incompatible schema throws
   * SchemaIncompatibleError.
   */
  async register(subject: string, schema: string): Promise<number> {
    const request = { method: 'POST', path: `/subjects/${encodeURIComponent(subject)}/versions` };
    try {
      const body = await this.request(request, { schema });
      return this.number(body, 'id', request);
    } catch (err) {
      if (err instanceof RegistryError && err.status === 409) {
        throw new SchemaIncompatibleError(err.request, subject, err.registryMessage);
      }
      throw err;
    }
  }

  /** Version numbers of the subject, oldest first; empty when the subject does not exist. */
  async versions(subject: string): Promise<number[]> {
    const request = { method: 'GET', path: `/subjects/${encodeURIComponent(subject)}/versions` };
    const body = await this.request(request, undefined, [ERROR_CODE.subjectNotFound]);
    if (body === undefined) return [];
    if (!Array.isArray(body) || !body.every((v): v is number => typeof v === 'number')) {
      throw this.unexpected(request, body);
    }
    return [...body].sort((a, b) => a - b);
  }

  async version(subject: string, version: number): Promise<SubjectVersion> {
    const request = { method: 'GET', path: `/subjects/${encodeURIComponent(subject)}/versions/${version}` };
    const body = await this.request(request);
    return {
      subject,
      version: this.number(body, 'version', request),
      id: this.number(body, 'id', request),
      schema: this.string(body, 'schema', request),
      schemaType: schemaType(body),
    };
  }

  /**
   * The subject's compatibility level; undefined when the subject is
   * unknown. Apicurio answers with the global level for an existing subject
   * that has none of its own, so this cannot tell "own" from "inherited".
   */
  async subjectLevel(subject: string): Promise<CompatibilityLevel | undefined> {
    const request = { method: 'GET', path: `/config/${encodeURIComponent(subject)}` };
    const body = await this.request(request, undefined, [ERROR_CODE.subjectNotFound]);
    if (body === undefined) return undefined;
    const level = this.string(body, 'compatibilityLevel', request).toUpperCase();
    if (!isCompatibilityLevel(level)) throw this.unexpected(request, body);
    return level;
  }

  /**
   * Sets the subject's own level; works before the subject has any version.
   *
   * Apicurio stores a level as an artifact rule and treats NONE as "remove
   * the rule", after which its global rule applies again: NONE cannot turn
   * checks off for one subject there, and on a subject without a rule of its
   * own it answers 404 (nothing to remove), which is ignored here.
   */
  async setSubjectLevel(subject: string, level: CompatibilityLevel): Promise<void> {
    const request = { method: 'PUT', path: `/config/${encodeURIComponent(subject)}` };
    await this.request(request, { compatibility: level }, level === 'NONE' ? [ERROR_CODE.subjectNotFound] : []);
  }

  /**
   * One HTTP exchange, with retries. Returns undefined when the registry
   * answered 404 with one of `notFoundCodes`, the parsed JSON otherwise.
   */
  private async request(
    request: RegistryRequest,
    body?: JsonRecord,
    notFoundCodes: readonly number[] = [],
  ): Promise<Json | undefined> {
    const { method, path } = request;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            accept: CONTENT_TYPE,
            ...(body !== undefined ? { 'content-type': CONTENT_TYPE } : {}),
            ...(this.authorization !== undefined ? { authorization: this.authorization } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        if (attempt < this.retries) {
          this.logger?.warn({ method, path, attempt, err: String(err) }, 'schema registry unreachable, retrying');
          await sleep(this.retryDelayMs * 3 ** attempt);
          continue;
        }
        throw new RegistryUnavailableError(request, this.displayUrl, err);
      }
      const text = await response.text();
      this.logger?.debug({ method, path, status: response.status, ms: Date.now() - started }, 'schema registry request');
      const json = parseJson(text);
      if (response.ok) return json ?? null;
      if (response.status >= 500 && attempt < this.retries) {
        this.logger?.warn({ method, path, status: response.status, attempt }, 'schema registry error, retrying');
        await sleep(this.retryDelayMs * 3 ** attempt);
        continue;
      }
      const errorCode = isRecord(json) && typeof json['error_code'] === 'number' ? json['error_code'] : undefined;
      if (response.status === 404 && errorCode !== undefined && notFoundCodes.includes(errorCode)) return undefined;
      throw new RegistryError(request, response.status, errorCode, this.describeFailure(response.status, json, text));
    }
  }

  private describeFailure(status: number, json: Json | undefined, text: string): string {
    const message = isRecord(json) && typeof json['message'] === 'string' ? json['message'] : undefined;
    if (status === 401 || status === 403) {
      return `${message ?? 'not authorized'} (check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)`;
    }
    if (message !== undefined) return message;
    // Not a Confluent-API error body: most likely the URL points somewhere else.
    return `unexpected answer ${JSON.stringify(text.slice(0, 200))}; is SCHEMA_REGISTRY_URL (${this.displayUrl}) the registry's Confluent-compatible API?`;
  }

  private unexpected(request: RegistryRequest, body: Json | undefined): RegistryError {
    return new RegistryError(
      request,
      200,
      undefined,
      `unexpected answer ${JSON.stringify(body).slice(0, 200)}; is SCHEMA_REGISTRY_URL (${this.displayUrl}) a Confluent-compatible API?`,
    );
  }

  private string(body: Json | undefined, key: string, request: RegistryRequest): string {
    const value = isRecord(body) ? body[key] : undefined;
    if (typeof value !== 'string') throw this.unexpected(request, body);
    return value;
  }

  private number(body: Json | undefined, key: string, request: RegistryRequest): number {
    const value = isRecord(body) ? body[key] : undefined;
    if (typeof value !== 'number') throw this.unexpected(request, body);
    return value;
  }
}

function schemaType(body: Json | undefined): string {
  const value = isRecord(body) ? body['schemaType'] : undefined;
  return typeof value === 'string' ? value.toUpperCase() : 'AVRO';
}

function parseJson(text: string): Json | undefined {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

export function createRegistryClient(config: SchemaRegistryConfig, options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(config, options);
}
