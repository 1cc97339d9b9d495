/**
 * An in-process fake of GCP Secret Manager's `versions/*:access` for the example provider: versions
 * added with `add`, `latest` the last one, a bearer token checked, errors as the API sends them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake. */
export interface FakeGcp {
  /** The base URL (`http://127.0.0.1:port`). */
  readonly endpoint: string;
  /** The token it accepts. */
  readonly token: string;
  /** Adds a version of `projects/<project>/secrets/<secret>`; returns its number. */
  add(project: string, secret: string, value: string): number;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const ACCESS = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/:]+):access$/;

function send(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts the fake on a free loopback port. */
export async function startFakeGcp(): Promise<FakeGcp> {
  const versions = new Map<string, string[]>();
  const token = `token-${Math.random().toString(36).slice(2)}`;
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    if (request.headers.authorization !== `Bearer ${token}`) {
      send(response, 401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
      return;
    }
    const match = ACCESS.exec(request.url ?? '');
    const [, project = '', secret = '', version = ''] = match ?? [];
    const all = versions.get(`${project}/${decodeURIComponent(secret)}`) ?? [];
    const value = version === 'latest' ? all.at(-1) : all[Number(version) - 1];
    if (!match || request.method !== 'GET' || value === undefined) {
      send(response, 404, { error: { code: 404, status: 'NOT_FOUND', message: 'Secret Version not found' } });
      return;
    }
    const name = `projects/${project}/secrets/${secret}/versions/${version === 'latest' ? all.length : version}`;
    send(response, 200, { name, payload: { data: Buffer.from(value).toString('base64') } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    token,
    add(project, secret, value) {
      const list = versions.get(`${project}/${secret}`) ?? [];
      list.push(value);
      versions.set(`${project}/${secret}`, list);
      return list.length;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
