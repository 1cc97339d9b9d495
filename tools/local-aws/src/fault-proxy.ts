/**
 * A loopback HTTP proxy between the SDK clients and moto that counts calls per operation, adds
 * latency and injects faults: what AWS does under load and moto never does.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A failure the proxy answers with instead of forwarding. */
export type Fault =
  /** HTTP 400 `ThrottlingException: Rate exceeded`, as SSM, Secrets Manager and KMS send it (code in body and header). */
  | 'throttle'
  /** HTTP 500 with a JSON `InternalServerError`. */
  | 'server-error'
  /** HTTP 503 with an HTML body, as a load balancer sends it. */
  | 'unavailable'
  /** The connection is reset without an answer. */
  | 'reset'
  /** The request is never answered. */
  | 'hang'
  /** HTTP 200 with a truncated JSON body. */
  | 'malformed'
  /** The real answer, sent a few bytes at a time with pauses (`trickleMs` between chunks). */
  | 'trickle'
  /** HTTP 400 `InvalidSignatureException: Signature expired`, as AWS answers a request signed before a freeze. */
  | 'signature-expired';

/**
 * An answer of the test's own, sent instead of forwarding: any status, body and content type (a 200
 * without the documented shape, an XML denial...). The body is sent as it is.
 */
interface CustomAnswer {
  readonly status: number;
  readonly body: string;
  /** @default 'application/x-amz-json-1.1' */
  readonly contentType?: string | undefined;
  /** Headers sent with it (`x-amzn-requestid`, `x-amzn-errortype`...). @default {} */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: point clients here instead of at moto. */
  readonly endpoint: string;
  /**
   * Operations forwarded or failed, in arrival order (`GetParameters`, `GetParametersByPath`...; for AppConfigData,
   * `StartConfigurationSession` and `GetLatestConfiguration`).
   */
  readonly calls: string[];
  /** The fault for every request, or per operation and region; `undefined` forwards. */
  fault:
    | Fault
    | CustomAnswer
    | ((operation: string, region: string | undefined) => Fault | CustomAnswer | undefined)
    | undefined;
  /** Latency added to every request, in ms. */
  latencyMs: number;
  /** Pause between the chunks of a `trickle` answer, in ms. @default 200 */
  trickleMs: number;
  /** Counts of `calls` by operation. */
  count(operation?: string): number;
  /** The most requests that were open at once since the last `reset()`. */
  readonly peakConcurrent: number;
  /** Clears `calls` and `peakConcurrent`, and the fault. */
  reset(): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.1';

/** The value inside the `malformed` fault's truncated body: leak tests look for it. */
export const MALFORMED_SECRET = 'MALFORMED-BODY-SECRET-7f3a';

/** restJson services have no X-Amz-Target: their operations are method + path (AppConfigData's, for now). */
const REST_OPERATIONS: Readonly<Record<string, string>> = {
  'POST /configurationsessions': 'StartConfigurationSession',
  'GET /configuration': 'GetLatestConfiguration',
};

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const path = (req.url ?? '/').split('?')[0];
  return REST_OPERATIONS[`${req.method} ${path}`] ?? `${req.method} ${req.url}`;
}

/** The region a request is signed for (SigV4 credential scope: key/date/region/service/aws4_request). */
function regionOf(req: IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
}

function answer(res: ServerResponse, status: number, body: string, type = JSON_TYPE, headers = {}): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * An AWS error: the code in the body's `__type`, as the JSON 1.1 services send it (so their clients' body
 * reading stays tested), and for a REST operation in `x-amzn-errortype` too, as restJson1 services send it.
 */
function awsError(res: ServerResponse, status: number, type: string, message: string, rest: boolean): void {
  answer(res, status, JSON.stringify({ __type: type, message }), JSON_TYPE, rest ? { 'x-amzn-errortype': type } : {});
}

/** Sends a body 16 bytes at a time, `pauseMs` apart: a slow network, or a slowloris server. */
function trickle(from: IncomingMessage, to: ServerResponse, pauseMs: number): void {
  const chunks: Buffer[] = [];
  from.on('data', (chunk: Buffer) => chunks.push(chunk));
  from.on('end', () => {
    const body = Buffer.concat(chunks);
    let at = 0;
    const next = (): void => {
      if (to.destroyed) return;
      if (at >= body.length) {
        to.end();
        return;
      }
      to.write(body.subarray(at, at + 16));
      at += 16;
      setTimeout(next, pauseMs);
    };
    next();
  });
}

/** A fault for the first `times` requests only, then forwarding: a blip (`first('throttle')`). */
export function first(fault: Fault, times = 1): () => Fault | undefined {
  let left = times;
  return () => (left-- > 0 ? fault : undefined);
}

/**
 * A fault for a share of the requests: `atRate('throttle', 0.3)` fails about 30% of them, per
 * operation if `operations` is given. `random` makes it deterministic in tests.
 */
export function atRate(
  fault: Fault,
  rate: number,
  options: { operations?: readonly string[]; random?: () => number } = {},
): (operation: string, region: string | undefined) => Fault | undefined {
  const random = options.random ?? Math.random;
  return (operation) =>
    (options.operations === undefined || options.operations.includes(operation)) && random() < rate ? fault : undefined;
}

/** Starts a proxy in front of `target` (moto's endpoint). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  // Requests open now (a hang stays open until its socket closes).
  let open = 0;
  const proxy: FaultProxy = {
    endpoint: '',
    calls: [],
    fault: undefined,
    latencyMs: 0,
    trickleMs: 200,
    peakConcurrent: 0,
    reset() {
      proxy.calls.length = 0;
      proxy.fault = undefined;
      (proxy as { peakConcurrent: number }).peakConcurrent = open;
    },
    count: (operation) => (operation ? proxy.calls.filter((c) => c === operation).length : proxy.calls.length),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req, res) => {
    open++;
    (proxy as { peakConcurrent: number }).peakConcurrent = Math.max(proxy.peakConcurrent, open);
    res.on('close', () => {
      open--;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = operationOf(req);
      const rest = Object.values(REST_OPERATIONS).includes(operation);
      proxy.calls.push(operation);
      const fault = typeof proxy.fault === 'function' ? proxy.fault(operation, regionOf(req)) : proxy.fault;
      setTimeout(() => {
        if (typeof fault === 'object') return answer(res, fault.status, fault.body, fault.contentType, fault.headers);
        switch (fault) {
          case 'throttle':
            return awsError(res, 400, 'ThrottlingException', 'Rate exceeded', rest);
          case 'server-error':
            return awsError(res, 500, 'InternalServerError', 'Internal error', rest);
          case 'unavailable':
            return answer(res, 503, '<html><body>Service Unavailable</body></html>', 'text/html');
          case 'reset':
            return req.socket.destroy();
          case 'hang':
            return;
          case 'malformed':
            return answer(res, 200, `{"Parameters": [{"Name": "/x", "Value": "${MALFORMED_SECRET}`);
          case 'signature-expired':
            return answer(
              res,
              400,
              JSON.stringify({
                __type: 'InvalidSignatureException',
                message:
                  'Signature expired: 20261128T100000Z is now earlier than 20261128T100500Z (20261128T101000Z - 5 min.)',
              }),
            );
          default: {
            const forward = request(
              {
                host: upstream.hostname,
                port: upstream.port,
                method: req.method,
                path: req.url,
                headers: req.headers,
              },
              (upstreamRes) => {
                res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
                if (fault === 'trickle') trickle(upstreamRes, res, proxy.trickleMs);
                else upstreamRes.pipe(res);
              },
            );
            forward.on('error', () => req.socket.destroy());
            forward.end(Buffer.concat(chunks));
          }
        }
      }, proxy.latencyMs);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the fault proxy has no address');
  (proxy as { endpoint: string }).endpoint = `http://127.0.0.1:${address.port}`;
  return proxy;
}
