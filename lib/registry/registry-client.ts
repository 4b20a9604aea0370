/**
 * The schema registry calls the serde and the registry scripts need
 * (Apicurio's Confluent API locally, Confluent's in Docker), on top of the
 * project's registry library, @kafkajs/confluent-schema-registry.
 *
 * How the library is used: lib/clients/schema-registry.ts builds its
 * SchemaRegistry (host without credentials, basic auth, the project's avsc
 * options), and this client calls the library's REST client: the mappersmith
 * client behind its `api` property (private and untyped in its typings, hence
 * `['api']` and the library's own SchemaRegistryAPIClient type). Transport,
 * auth, host handling and the retry of GETs are the library's. This file adds
 * what the library's high-level methods lack or get in the way of:
 *   - setting a subject's level (Subject.updateConfig). The library's
 *     register() is not used: it reads the level and throws when it differs
 *     from an option (see DESIGN.md on Apicurio);
 *   - looking a schema up without registering it (Subject.registered);
 *   - listing a subject's versions. The library has no resource for
 *     GET /subjects/{s}/versions and does not expose its manifest to add one,
 *     so versions() calls one of its GET resources with mappersmith's per-call
 *     `path` parameter (mappersmith ≥ 2.41; the library needs ≥ 2.44): one
 *     request through all of the library's middleware, answered by the
 *     registry itself (deleted versions left out), where latestVersion plus
 *     version(n) for every n would take n + 1 requests and infer the list;
 *   - errors a caller can act on (registry-errors.ts).
 *
 * Errors: the library turns every failure into its ResponseError, which keeps
 * the HTTP status and the body's `message` (in its own message, after
 * "<clientId> - ") but not the body, so the Confluent error_code is lost and
 * RegistryError.errorCode is undefined here (409 aside). mappersmith reports
 * a connection error or timeout as status 400 with the error's text as the
 * body, so a 400 without a JSON message is taken as "unreachable". A 404 with
 * a JSON message is the registry saying "no such subject / schema / level";
 * a 404 without one means SCHEMA_REGISTRY_URL is not a Confluent API.
 *
 * Retries: the library's middleware retries GETs on connection errors and
 * 5xx (3 times from 0.1 s, doubling) and never POST or PUT. Its settings are
 * module-wide (it merges a client's `retry` option into one shared default
 * object), so they are left alone, and this client retries every call itself
 * on top (`retries`, default 2) after connection errors, timeouts and 5xx:
 * every call here is idempotent (registering a schema the subject already has
 * returns its id and creates nothing).
 */
import type { SchemaRegistryAPIClient } from '@kafkajs/confluent-schema-registry/dist/api';
import type { SchemaRegistryConfig } from '../config';
import { SCHEMA_REGISTRY_CLIENT_ID, createSchemaRegistry, schemaRegistryConnection } from '../clients/schema-registry';
import type { Logger } from '../logger';
import { CompatibilityLevel, isCompatibilityLevel } from './compatibility-level';
import { RegistryError, RegistryRequest, RegistryUnavailableError, SchemaIncompatibleError } from './registry-errors';

export interface RegistryClientOptions {
  /** Per request: how long the socket may stay silent. */
  readonly timeoutMs?: number;
  /** Extra attempts after a network failure or a 5xx (GETs are retried by the library within each attempt too). */
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

/** The library's REST client, as the library types it (mappersmith resources). */
type RegistryApi = SchemaRegistryAPIClient;
/** What a library call resolves to (a mappersmith Response). */
type ApiResponse = Awaited<ReturnType<RegistryApi['Subject']['config']>>;

/** The library's ResponseError (not exported by it): the status and a message, nothing else. */
interface LibraryResponseError extends Error {
  readonly status: number;
}

function isLibraryResponseError(err: unknown): err is LibraryResponseError {
  return err instanceof Error && err.name === 'ResponseError' && typeof (err as { status?: unknown }).status === 'number';
}

/** A library failure, classified. */
type Failure =
  /** The registry was not reached, or did not answer in time: `reason` is the socket error's text. */
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** The registry (or whatever SCHEMA_REGISTRY_URL points at) answered with an HTTP error. */
  | { readonly kind: 'http'; readonly status: number; readonly registryMessage: string | undefined; readonly text: string };

const NO_MESSAGE = /^Error, status (\d+)(?:: ([\s\S]*))?$/;

function classify(err: LibraryResponseError): Failure {
  const prefix = `${SCHEMA_REGISTRY_CLIENT_ID} - `;
  const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  const bare = NO_MESSAGE.exec(detail);
  // With a JSON body that has a `message`, the library's error is "<clientId> - <message>".
  if (!bare) return { kind: 'http', status: err.status, registryMessage: detail, text: detail };
  const text = bare[2] ?? '';
  // mappersmith reports a socket error or its timeout as status 400 with the error's text as the body.
  if (err.status === 400 && text !== '') return { kind: 'unreachable', reason: text };
  return { kind: 'http', status: err.status, registryMessage: undefined, text };
}

export class RegistryClient {
  private readonly api: RegistryApi;
  /** For messages: never contains a password. */
  readonly displayUrl: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly logger: Logger | undefined;

  constructor(config: SchemaRegistryConfig, options: RegistryClientOptions = {}) {
    // `api` is private (and untyped) in the library's typings, not at run time;
    // its type is the one the library declares for it in dist/api.
    this.api = createSchemaRegistry(config)['api'] as RegistryApi;
    this.displayUrl = schemaRegistryConnection(config).displayUrl;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.logger = options.logger?.child({ component: 'schema-registry' });
  }

  /** The schema behind an id written in the wire format; undefined when the registry has no such id. */
  async schemaById(id: number): Promise<SchemaById | undefined> {
    const request = { method: 'GET', path: `/schemas/ids/${id}` };
    const body = await this.request(request, () => this.api.Schema.find({ id, timeout: this.timeoutMs }), true);
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
    const body = await this.request(request, () => this.api.Subject.registered({ subject, body: { schema }, timeout: this.timeoutMs }), true);
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
      const body = await this.request(request, () => this.api.Subject.register({ subject, body: { schema }, timeout: this.timeoutMs }));
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
    // The library has no resource for this path: Subject.all (a GET) with mappersmith's per-call `path`.
    const body = await this.request(request, () => this.api.Subject.all({ path: '/subjects/{subject}/versions', subject, timeout: this.timeoutMs }), true);
    if (body === undefined) return [];
    if (!Array.isArray(body) || !body.every((v): v is number => typeof v === 'number')) {
      throw this.unexpected(request, body);
    }
    return [...body].sort((a, b) => a - b);
  }

  async version(subject: string, version: number): Promise<SubjectVersion> {
    const request = { method: 'GET', path: `/subjects/${encodeURIComponent(subject)}/versions/${version}` };
    const body = await this.request(request, () => this.api.Subject.version({ subject, version, timeout: this.timeoutMs }));
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
    const body = await this.request(request, () => this.api.Subject.config({ subject, timeout: this.timeoutMs }), true);
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
   *
   * Two clients setting the level of a new subject at once (two instances of
   * a service auto-registering) make Apicurio answer 409 to the second ("a
   * rule named COMPATIBILITY already exists"): when the level read back is the
   * one asked for, that is success.
   */
  async setSubjectLevel(subject: string, level: CompatibilityLevel): Promise<void> {
    const request = { method: 'PUT', path: `/config/${encodeURIComponent(subject)}` };
    try {
      await this.request(request, () => this.api.Subject.updateConfig({ subject, body: { compatibility: level }, timeout: this.timeoutMs }), level === 'NONE');
    } catch (error) {
      if (error instanceof RegistryError && error.status === 409 && (await this.subjectLevel(subject)) === level) return;
      throw error;
    }
  }

  /**
   * One library call, with retries. Returns undefined when the registry
   * answered 404 with an error body and `notFoundIsUndefined`, the parsed
   * JSON otherwise.
   */
  private async request(request: RegistryRequest, call: () => Promise<ApiResponse>, notFoundIsUndefined = false): Promise<Json | undefined> {
    const { method, path } = request;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let failure: Failure;
      try {
        const response = await call();
        this.logger?.debug({ method, path, status: response.status(), ms: Date.now() - started }, 'schema registry request');
        const data = response.data() as Json | undefined;
        return data === undefined || data === '' ? null : data;
      } catch (err) {
        if (!isLibraryResponseError(err)) throw err;
        failure = classify(err);
      }
      this.logger?.debug(
        { method, path, status: failure.kind === 'http' ? failure.status : undefined, ms: Date.now() - started },
        'schema registry request failed',
      );
      const retriable = failure.kind === 'unreachable' || failure.status >= 500;
      if (retriable && attempt < this.retries) {
        this.logger?.warn(
          failure.kind === 'unreachable' ? { method, path, attempt, err: failure.reason } : { method, path, attempt, status: failure.status },
          failure.kind === 'unreachable' ? 'schema registry unreachable, retrying' : 'schema registry error, retrying',
        );
        await sleep(this.retryDelayMs * 3 ** attempt);
        continue;
      }
      if (failure.kind === 'unreachable') {
        throw new RegistryUnavailableError(request, this.displayUrl, new Error(describeUnreachable(failure.reason)));
      }
      if (failure.status === 404 && failure.registryMessage !== undefined && notFoundIsUndefined) return undefined;
      throw new RegistryError(request, failure.status, undefined, this.describeFailure(failure));
    }
  }

  private describeFailure({ status, registryMessage, text }: Extract<Failure, { kind: 'http' }>): string {
    if (status === 401 || status === 403) {
      return `${registryMessage ?? 'not authorized'} (check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)`;
    }
    if (registryMessage !== undefined) return registryMessage;
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

/** mappersmith's timeout reads "Timeout (10000ms)". */
function describeUnreachable(reason: string): string {
  return /^Timeout \(\d+ms\)$/.test(reason) ? `no answer within the timeout (${reason})` : reason;
}

function schemaType(body: Json | undefined): string {
  const value = isRecord(body) ? body['schemaType'] : undefined;
  return typeof value === 'string' ? value.toUpperCase() : 'AVRO';
}

export function createRegistryClient(config: SchemaRegistryConfig, options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(config, options);
}
