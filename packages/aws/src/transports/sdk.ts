/**
 * The `sdk` transport: the SDK v3 client of the service (one per region, from the pool in
 * clients.ts), sending each operation as its command class (`GetParametersCommand`).
 */
import { type AwsClient, type AwsClientOptions, type AwsClientPool, awsClientPool } from '../clients.ts';
import type { AwsApi, AwsTransport, SdkBinding } from './types.ts';

interface SendingClient extends AwsClient {
  send(command: unknown, options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** The pool of a binding: the `sdk` transport's, and the KMS envelopes' (the Encryption SDK needs a client). */
export function sdkPool<Client extends AwsClient, Sdk>(
  binding: SdkBinding<Client, Sdk>,
  options: AwsClientOptions<Client, object>,
): AwsClientPool<Client, Sdk> {
  return awsClientPool(binding.packageName, options, () => binding.load(), binding.create);
}

/** Creates the `sdk` transport over a pool of clients. */
export function sdkTransport<Client extends AwsClient, Sdk>(pool: AwsClientPool<Client, Sdk>): AwsTransport {
  const apis = new WeakMap<object, AwsApi>();
  return {
    name: 'sdk',
    async api(region, context) {
      const { sdk, client } = await pool.get(region, context);
      let api = apis.get(client);
      if (!api) {
        const commands = sdk as Record<string, new (input: object) => unknown>;
        const sender = client as unknown as SendingClient;
        api = {
          via: 'sdk',
          send: async (operation, input, { signal }) => {
            const Command = commands[`${operation}Command`] as new (input: object) => unknown;
            return (await sender.send(new Command(input), { abortSignal: signal })) as Record<string, unknown>;
          },
        };
        apis.set(client, api);
      }
      context?.reportVia?.('sdk');
      return api;
    },
    unavailable: (requests, error) => pool.unavailable(requests, error),
    dispose: () => pool.dispose(),
  };
}
