/**
 * The transport seam: a provider turns requests into AWS operations (`GetParameters` with its JSON
 * input); a transport sends them, over the SDK's client (`sdk`), over signed `fetch` (`fetch`), or
 * through AWS's local cache on localhost (`agent`). Every transport answers with the operation's JSON
 * output (blobs as bytes) and fails with an error of the SDK's shape (`name`, `$fault`, `$metadata`),
 * so that one error mapping (errors.ts) serves them all.
 */
import type { FetchContext, FetchRequest, FetchResult } from '@secretref/core';
import type { EndpointService } from './endpoints.ts';

/** The environment a transport reads (`process.env`, or a test's own). */
export type AwsEnv = Readonly<Record<string, string | undefined>>;

/** The transports, by name. `auto` picks `fetch` or `sdk` from the environment (see select.ts). */
export type TransportName = 'sdk' | 'fetch' | 'agent';

/** What a provider may ask for: a transport, or `auto`. */
export type TransportChoice = TransportName | 'auto';

/** How an SDK v3 client for the service is made: only the `sdk` transport loads it. */
export interface SdkBinding<Client = unknown, Sdk = unknown> {
  /** `@aws-sdk/client-ssm`: named in the error when it cannot be loaded. */
  readonly packageName: string;
  /** A dynamic `import()` of the module, so that it is loaded only when a fetch needs it. */
  load(): Promise<Sdk>;
  /** A client from the module and a configuration (with the region, when one is set). */
  create(sdk: Sdk, config: object): Client;
}

/** One AWS service as the transports see it: its endpoints (endpoints.ts), its JSON protocol, its agent route. */
export interface AwsService extends EndpointService {
  /** The IAM and signing name: `ssm`, `secretsmanager`, `kms`. */
  readonly name: string;
  /** The JSON protocol's target prefix: `AmazonSSM` (`X-Amz-Target: AmazonSSM.GetParameters`). */
  readonly target: string;
  /** Output fields that are blobs (base64 in JSON, bytes from the SDK): `SecretBinary`, `Plaintext`. */
  readonly blobs?: readonly string[] | undefined;
  /** What AWS's local agent serves of the service; none: every call goes direct. */
  readonly agent?: AgentRoute | undefined;
  /**
   * The operations of a REST protocol (restJson1: AppConfigData), by name: how the `fetch` transport
   * sends them. The others are the JSON protocol's (`target`).
   */
  readonly rest?: Readonly<Record<string, RestOperation>> | undefined;
  /**
   * Fields of an error body that the `fetch` transport keeps on the error, as the SDK does, when their
   * value is one of those listed (an enum, never free text): AppConfigData's `ResourceType`.
   */
  readonly errorFields?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** A REST operation as the `fetch` transport sends it (the SDK's restJson1 serializer's request and answer). */
export interface RestOperation {
  readonly method: 'GET' | 'POST';
  /** The path and query of a call (`/configuration?configuration_token=...`), from its input. */
  path(input: Record<string, unknown>): string;
  /** Its JSON body, if it has one. */
  body?(input: Record<string, unknown>): Record<string, unknown>;
  /** Its output, from a successful answer's bytes and headers, as the SDK gives it. */
  output(body: Uint8Array, headers: Headers): Record<string, unknown>;
}

/** One item's outcome through the agent: its output, or the AWS error the agent relayed. */
export type AgentOutcome =
  | { readonly output: Record<string, unknown> }
  | { readonly error: Error & { readonly name: string } };

/**
 * How the agent serves a service: one GET route for one item (`GetParameter`, `GetSecretValue`), and
 * the batch operation it answers as parallel single calls (`GetParameters`, `BatchGetSecretValue`).
 */
export interface AgentRoute {
  /** The agent's path (`/systemsmanager/parameters/get`), or the path of one item's input. */
  readonly path: string | ((input: Record<string, unknown>) => string);
  /**
   * The variable that holds the agent's port, and the port without it.
   * @default PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, else 2773
   */
  readonly port?: { readonly variable: string; readonly fallback: number } | undefined;
  /** The agent wants the `X-Aws-Parameters-Secrets-Token` header. @default true */
  readonly token?: boolean | undefined;
  /**
   * The single operation's output from a successful answer's bytes and headers, when the agent does
   * not answer with the operation's JSON (the AppConfig Agent answers with the configuration itself);
   * `undefined`: no answer (empty, damaged), the call goes direct.
   */
  read?(body: Uint8Array, headers: Headers): Record<string, unknown> | undefined;
  /**
   * HTTP statuses the agent relays from AWS without a code (the AppConfig Agent's 404): the call goes
   * direct, for AWS's own answer, and they do not count as the agent's failures.
   */
  readonly relays?: readonly number[] | undefined;
  /** The operation one GET answers. */
  readonly single: string;
  /** The batch operation the agent answers as single GETs, if any. */
  readonly batch?: AgentBatch | undefined;
  /**
   * The query of one item (the single operation's input); `undefined`: the agent must not serve it (a
   * forced fetch the agent cannot do). `lambda`: the agent is the Lambda extension, which has no
   * `refreshNow`.
   */
  query(input: Record<string, unknown>, forced: boolean, lambda: boolean): URLSearchParams | undefined;
}

/** A batch operation (`GetParameters`, `BatchGetSecretValue`) as parallel single GETs to the agent. */
export interface AgentBatch {
  /** Its name. */
  readonly operation: string;
  /** The single operations' inputs of its input. */
  items(input: Record<string, unknown>): readonly Record<string, unknown>[];
  /** Its input for some of them (those the agent did not answer, sent direct). */
  input(items: readonly Record<string, unknown>[]): Record<string, unknown>;
  /** Its output, from the outcomes of its items, in order (throws for an error the batch call would fail with). */
  assemble(outcomes: readonly AgentOutcome[], items: readonly Record<string, unknown>[]): Record<string, unknown>;
}

/** One operation's call options. */
export interface SendOptions {
  /** Aborted at the callers' deadline. */
  readonly signal: AbortSignal;
  /** A forced fetch (`forceFetch`, a rotation retry): past every cache, the agent's too. */
  readonly forced?: boolean | undefined;
}

/** A transport bound to one region: sends operations. */
export interface AwsApi {
  /** The transport that sends (`sdk`, `fetch`, `agent`), for the `fetch` event. */
  readonly via: TransportName;
  /**
   * Sends one operation (`GetParameters`) with its JSON input; resolves with its output, rejects with
   * an error of the SDK's shape.
   */
  send(operation: string, input: Record<string, unknown>, options: SendOptions): Promise<Record<string, unknown>>;
}

/** A transport: the APIs of every region, created on first use. */
export interface AwsTransport {
  /** The transport's name, once chosen. */
  readonly name: TransportName;
  /**
   * The API for a region (`undefined`: the default, whose region is then reported to `context` for
   * the `fetch` event), for one batch: the transport reports to `context` how it sends. Rejects when
   * the transport cannot be set up (the SDK or the credential chain cannot be loaded).
   */
  api(
    region: string | undefined,
    context?: Pick<FetchContext, 'reportRegion' | 'reportVia' | 'clock'>,
  ): Promise<AwsApi>;
  /** Fails every request with a clear error when `api` rejected. */
  unavailable(requests: readonly FetchRequest[], error: unknown): FetchResult[];
  /** Releases what the transport created. */
  dispose(): void;
}
