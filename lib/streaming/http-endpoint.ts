/** /metrics (Prometheus text) and /health (200 when ready, 503 otherwise, JSON detail). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  readonly ready: boolean;
  readonly detail: Record<string, unknown>;
}

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/** /health while a service waits for Kafka before its engine starts. */
export const WAITING_FOR_KAFKA: HealthReport = { ready: false, detail: { state: 'waiting for Kafka' } };

export async function startHttpEndpoint(port: number, registry: Registry, health: () => HealthReport): Promise<HttpEndpoint> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    } else if (path === '/health') {
      const report = health();
      response.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('try /health or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
