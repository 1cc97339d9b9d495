/** HTTP helpers shared by the AppConfig data plane, its control routes and the agent. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Json = Record<string, unknown>;

/** A control call the emulator refuses; `status` is what the HTTP control routes answer with. */
export class AppConfigEmulatorError extends Error {
  override readonly name = 'AppConfigEmulatorError';
  readonly status: 400 | 404 | 409;
  constructor(status: 400 | 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The body as a JSON object, or undefined. */
export function parseObject(body: Buffer): Json | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : undefined;
  } catch {
    return undefined;
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
}

/** A restJson1 error as AWS sends it: the code in `x-amzn-errortype`, the members in a JSON body. */
export function sendAwsError(res: ServerResponse, status: number, code: string, members: Json): void {
  send(res, status, JSON.stringify(members), {
    'content-type': 'application/json',
    'x-amzn-errortype': code,
    'x-amzn-requestid': randomUUID(),
  });
}

/** A server listening on loopback: its port, and a close that ends open connections too. */
export async function listenOnLoopback(
  server: Server,
  port: number | undefined,
  what: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error(`${what} has no address`);
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
