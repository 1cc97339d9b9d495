/**
 * The conformance suite for KMS against moto, on every transport: seed encrypts each value (every other one with an
 * encryption context) and returns its ciphertext as the body. A ciphertext always exists, so there
 * are no missing values; and it always decrypts to the same value, so there is no update (the
 * forced-fetch case is skipped).
 */
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { describeProvider } from '@secretref/conformance';
import { kmsProvider } from '@secretref/kms';
import { localAwsConfig } from '@secretref/local-aws';
import { describe, inject } from 'vitest';

const endpoint = inject('awsEndpoint');
const admin = new KMSClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
// Long enough to be taken for a ciphertext, short of one that decrypts.
const FAKE = 'A'.repeat(64);

// The agent serves no KMS: its calls go direct, through the transport behind it.
const TRANSPORTS = {
  sdk: () => kmsProvider({ clientConfig: localAwsConfig(endpoint) }),
  fetch: () => kmsProvider({ transport: 'fetch', clientConfig: localAwsConfig(endpoint) }),
  'agent (direct)': () => kmsProvider({ transport: 'agent', clientConfig: localAwsConfig(endpoint) }),
};

for (const [transport, provider] of Object.entries(TRANSPORTS))
  describe(transport, () => {
    describeProvider(
      'kms',
      {
        provider,
        seed: async (values) => {
          const key = await admin.send(new CreateKeyCommand({ Description: 'secretref conformance' }));
          const bodies: Record<string, string> = {};
          let i = 0;
          for (const [name, value] of Object.entries(values)) {
            const context = i++ % 2 === 0 ? {} : { app: 'conformance', name };
            const { CiphertextBlob } = await admin.send(
              new EncryptCommand({
                KeyId: key.KeyMetadata?.KeyId,
                Plaintext: Buffer.from(value),
                EncryptionContext: context,
              }),
            );
            const query = Object.entries(context).map(([k, v]) => `context.${k}=${encodeURIComponent(v)}`);
            bodies[name] =
              Buffer.from(CiphertextBlob ?? []).toString('base64') + (query.length ? `?${query.join('&')}` : '');
          }
          return bodies;
        },
      },
      {
        notFound: false,
        // A ciphertext always decrypts to the same plaintext: no rotation to force a fetch through.
        immutable: true,
        canonicalForms: (body, scheme) => {
          const [ciphertext = '', query] = body.split('?');
          const context = Object.fromEntries(
            [...new URLSearchParams(query ?? '')].map(([k, v]) => [k.slice('context.'.length), v]),
          );
          const pairs = Object.entries(context).map(([k, v]) => `context.${k}=${encodeURIComponent(v)}`);
          const urlSafe = ciphertext.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
          const withQuery = (text: string, params: readonly string[]) =>
            `${scheme}:${text}${params.length ? `?${params.join('&')}` : ''}`;
          return [
            withQuery(urlSafe, pairs), // the URL-safe alphabet, no padding
            withQuery(encodeURIComponent(ciphertext), pairs), // percent-encoded
            withQuery(ciphertext, [...pairs].reverse()), // the context in another order
            withQuery(ciphertext, [...pairs, 'alg=SYMMETRIC_DEFAULT']), // the default algorithm named
            ...(pairs.length === 0
              ? []
              : [
                  withQuery(ciphertext, [`context=${encodeURIComponent(JSON.stringify(context))}`]), // the context as JSON
                  withQuery(ciphertext, [`context=${encodeURIComponent(JSON.stringify(context))}`, ...pairs]), // both, agreeing
                ]),
          ];
        },
        invalid: [
          'kms:c2hvcnQ=',
          'kms:not*base64*but*long*enough*to*be*taken*for*a*ciphertext',
          'kms:%ZZ',
          `kms:${FAKE}?alg=RSAES_OAEP_SHA_256`,
          `kms:${FAKE}?alg=NOT_AN_ALGORITHM&keyId=alias/x`,
          `kms:${FAKE}?context=%7Bbad`,
          `kms:${FAKE}?context.a=1&context=${encodeURIComponent('{"a":"2"}')}`,
        ],
      },
    );
  });
