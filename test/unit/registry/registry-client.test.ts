/**
 * RegistryClient on @kafkajs/confluent-schema-registry, against a fake
 * Confluent API on loopback: the paths and bodies it sends, credentials,
 * how the library's errors come out (404s, 409, 5xx retries, 401, a registry
 * that is down or silent), and that no password reaches a message.
 */
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { SchemaRegistryConfig } from '../../../lib/config';
import { RegistryClient, RegistryClientOptions } from '../../../lib/registry/registry-client';
import { RegistryError, RegistryUnavailableError, SchemaIncompatibleError } from '../../../lib/registry/registry-errors';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  /** Raw text instead of JSON (e.g. an HTML error page). */
  readonly text?: string;
  /** Never answer. */
  readonly hang?: boolean;
}

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';
const PATH = '/apis/ccompat/v7';

let server: Server;
let port: number;
let seen: Seen[] = [];
let answer: (req: Seen, index: number) => Answer = () => ({ status: 500 });
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      };
      seen.push(request);
      const { status, body: json, text, hang } = answer(request, seen.length - 1);
      if (hang) {
        hanging.push(res);
        return;
      }
      res.writeHead(status, { 'content-type': text !== undefined ? 'text/html' : JSON_TYPE });
      res.end(text ?? (json === undefined ? '' : JSON.stringify(json)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
});

function client(config: Partial<SchemaRegistryConfig> = {}, options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(
    { url: `http://127.0.0.1:${port}${PATH}`, username: undefined, password: undefined, ...config },
    { retries: 2, retryDelayMs: 1, ...options },
  );
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const result = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(result instanceof Error)) throw new Error(`expected an error, got ${String(result)}`);
  return result;
}

const notFound = (code: number) => ({ status: 404, body: { error_code: code, message: `not found (${code})` } });

describe('requests', () => {
  it('calls the Confluent API paths with the library, subject names encoded', async () => {
    answer = (req) => {
      if (req.method === 'GET' && req.url.endsWith('/versions')) return { status: 200, body: [3, 1, 2] };
      if (req.url.includes('/versions/')) return { status: 200, body: { subject: 's', version: 2, id: 7, schema: '"string"' } };
      if (req.url.startsWith(`${PATH}/config/`)) return { status: 200, body: { compatibilityLevel: 'full_transitive' } };
      if (req.url.startsWith(`${PATH}/schemas/ids/`)) return { status: 200, body: { schema: '"long"', schemaType: 'AVRO' } };
      return { status: 200, body: { id: 7, version: 2 } };
    };
    const registry = client();
    const subject = 'orders.events-com.x.A b/c';
    const encoded = encodeURIComponent(subject);

    expect(await registry.versions(subject)).toEqual([1, 2, 3]);
    expect(await registry.version(subject, 2)).toEqual({ subject, version: 2, id: 7, schema: '"string"', schemaType: 'AVRO' });
    expect(await registry.subjectLevel(subject)).toBe('FULL_TRANSITIVE');
    await registry.setSubjectLevel(subject, 'BACKWARD_TRANSITIVE');
    expect(await registry.lookup(subject, '"string"')).toEqual({ id: 7, version: 2 });
    expect(await registry.register(subject, '"string"')).toBe(7);
    expect(await registry.schemaById(7)).toEqual({ schema: '"long"', schemaType: 'AVRO' });

    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${PATH}/subjects/${encoded}/versions`,
      `GET ${PATH}/subjects/${encoded}/versions/2`,
      `GET ${PATH}/config/${encoded}`,
      `PUT ${PATH}/config/${encoded}`,
      `POST ${PATH}/subjects/${encoded}`,
      `POST ${PATH}/subjects/${encoded}/versions`,
      `GET ${PATH}/schemas/ids/7`,
    ]);
    expect(JSON.parse(seen[3]!.body)).toEqual({ compatibility: 'BACKWARD_TRANSITIVE' });
    expect(JSON.parse(seen[4]!.body)).toEqual({ schema: '"string"' });
    expect(JSON.parse(seen[5]!.body)).toEqual({ schema: '"string"' });
    expect(seen[5]!.contentType).toBe(JSON_TYPE);
    expect(seen.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('takes credentials out of the URL into basic auth, and masks the password', async () => {
    answer = () => ({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });
    const registry = client({ url: `http://reader:s3cr%40t@127.0.0.1:${port}${PATH}/` });
    expect(registry.displayUrl).toBe(`http://reader:***@127.0.0.1:${port}${PATH}/`);
    await registry.subjectLevel('s');
    expect(seen[0]!.url).toBe(`${PATH}/config/s`);
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('reader:s3cr@t').toString('base64')}`);
  });

  it('prefers SCHEMA_REGISTRY_USERNAME/_PASSWORD to credentials in the URL', async () => {
    answer = () => ({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });
    await client({ url: `http://a:b@127.0.0.1:${port}${PATH}`, username: 'svc', password: 'pw' }).subjectLevel('s');
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('svc:pw').toString('base64')}`);
  });
});

describe('404', () => {
  it('the registry saying "not found" is undefined (or empty) where the API allows it', async () => {
    answer = (req) => notFound(req.url.includes('/schemas/') ? 40403 : 40401);
    const registry = client();
    expect(await registry.schemaById(42)).toBeUndefined();
    expect(await registry.lookup('s', '"string"')).toBeUndefined();
    expect(await registry.versions('s')).toEqual([]);
    expect(await registry.subjectLevel('s')).toBeUndefined();
    // Apicurio: NONE removes the subject's rule, 404 when it has none
    await expect(registry.setSubjectLevel('s', 'NONE')).resolves.toBeUndefined();
  });

  it('is an error for a version, or for a level other than NONE', async () => {
    answer = () => notFound(40402);
    const registry = client();
    const version = await failure(registry.version('s', 9));
    expect(version).toBeInstanceOf(RegistryError);
    expect(version.message).toBe(`schema registry: GET /subjects/s/versions/9 failed with HTTP 404: not found (40402)`);
    expect(await failure(registry.setSubjectLevel('s', 'FULL'))).toBeInstanceOf(RegistryError);
  });

  it('without a registry error body, points at SCHEMA_REGISTRY_URL instead of reading as "not found"', async () => {
    answer = () => ({ status: 404, text: '<html>Not Found</html>' });
    const error = await failure(client().schemaById(42));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).status).toBe(404);
    expect(error.message).toMatch(
      /unexpected answer "<html>Not Found<\/html>"; is SCHEMA_REGISTRY_URL \(http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7\) the registry's Confluent-compatible API\?/,
    );
  });
});

describe('errors', () => {
  it('409 is a SchemaIncompatibleError with the registry message', async () => {
    answer = () => ({ status: 409, body: { error_code: 409, message: 'Incompatible schema: field x' } });
    const error = await failure(client().register('orders.events-com.x.A', '"string"'));
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect((error as SchemaIncompatibleError).status).toBe(409);
    expect((error as SchemaIncompatibleError).subject).toBe('orders.events-com.x.A');
    expect((error as SchemaIncompatibleError).registryMessage).toBe('Incompatible schema: field x');
    expect(seen).toHaveLength(1);
  });

  it('a 409 on setting a level is success when another client set the same level meanwhile (Apicurio)', async () => {
    const exists = { status: 409, body: { error_code: 409, message: "A rule named 'COMPATIBILITY' already exists." } };
    answer = (req) => (req.method === 'PUT' ? exists : { status: 200, body: { compatibilityLevel: 'FULL' } });
    await expect(client().setSubjectLevel('s', 'FULL')).resolves.toBeUndefined();
    expect(seen.map((r) => r.method)).toEqual(['PUT', 'GET']);
    seen = [];
    // another level than the one asked for: the conflict stands
    const error = await failure(client().setSubjectLevel('s', 'BACKWARD'));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).status).toBe(409);
  });

  it('retries a 5xx, POST and PUT included, then succeeds', async () => {
    answer = (_req, index) => (index < 2 ? { status: 503, text: 'busy' } : { status: 200, body: { id: 1, version: 1 } });
    expect(await client().lookup('s', '"string"')).toEqual({ id: 1, version: 1 });
    expect(seen.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('gives up on a 5xx after the retries', async () => {
    answer = () => ({ status: 500, body: { error_code: 50001, message: 'storage error' } });
    const error = await failure(client({}, { retries: 1 }).setSubjectLevel('s', 'FULL'));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe('schema registry: PUT /config/s failed with HTTP 500: storage error');
    expect(seen).toHaveLength(2);
  });

  it('401 names the credential variables and not the password', async () => {
    answer = () => ({ status: 401, body: { error_code: 401, message: 'Unauthorized' } });
    const error = await failure(client({ username: 'svc', password: 'hunter2' }).lookup('s', '"string"'));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).status).toBe(401);
    expect(error.message).toMatch(/Unauthorized \(check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD\)/);
    expect(error.message).not.toContain('hunter2');
  });

  it('a registry that is down: RegistryUnavailableError naming the URL (password masked) and SCHEMA_REGISTRY_URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const downPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const registry = client({ url: `http://u:hunter2@127.0.0.1:${downPort}${PATH}` }, { retries: 1 });
    const error = await failure(registry.lookup('s', '"string"'));
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).toMatch(
      new RegExp(`^schema registry unreachable at http://u:\\*\\*\\*@127\\.0\\.0\\.1:${downPort}/apis/ccompat/v7 \\(POST /subjects/s: connect ECONNREFUSED`),
    );
    expect(error.message).toContain('SCHEMA_REGISTRY_URL');
    expect(error.message).not.toContain('hunter2');
  });

  it('a registry that does not answer: RegistryUnavailableError after the timeout', async () => {
    answer = () => ({ status: 0, hang: true });
    const error = await failure(client({}, { retries: 1, timeoutMs: 100 }).lookup('s', '"string"'));
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).toMatch(/\(POST \/subjects\/s: no answer within the timeout \(Timeout \(100ms\)\)\)/);
    expect(seen).toHaveLength(2);
  });

  it('a 200 that is not the Confluent API is an error, not a value', async () => {
    answer = () => ({ status: 200, text: '<html>welcome</html>' });
    const error = await failure(client().schemaById(1));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(/unexpected answer "<html>welcome<\/html>"; is SCHEMA_REGISTRY_URL/);
  });
});
