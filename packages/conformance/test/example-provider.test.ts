/**
 * The example provider of docs/providers/writing.md against an in-process fake of GCP Secret
 * Manager: the conformance suite, then what the docs show it doing.
 */
// #region suite
import { describeProvider } from '@secretref/conformance';
import { AccessDeniedError, createResolver, ProviderError, SecretNotFoundError } from '@secretref/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGcp, startFakeGcp } from './example/fake-gcp.ts';
import { gcpSecretsProvider } from './example/gcp-provider.ts';

let gcp: FakeGcp;
beforeAll(async () => {
  gcp = await startFakeGcp();
});
afterAll(() => gcp.close());

describeProvider(
  'gcpsm',
  {
    provider: () => gcpSecretsProvider({ project: 'demo-project', endpoint: gcp.endpoint, token: () => gcp.token }),
    // Stores each value as a secret of its own; the body that reads it back is its short name.
    seed: async (values) => {
      const bodies: Record<string, string> = {};
      for (const [name, value] of Object.entries(values)) {
        gcp.add('demo-project', `conformance-${name}`, value);
        bodies[name] = `conformance-${name}`;
      }
      return bodies;
    },
    // A new version of its secret: the latest one, as a rotation makes.
    update: (name, value) => {
      gcp.add('demo-project', `conformance-${name}`, value);
    },
    missing: (name) => `never-stored-${name}`,
  },
  {
    // Spellings that must be one canonical form (projects/demo-project/secrets/<id>/versions/latest).
    canonicalForms: (body, scheme) => [
      `${scheme}:${body}:latest`,
      `${scheme}:${body}?project=demo-project`,
      `${scheme}:projects/demo-project/secrets/${body}`,
      `${scheme}:projects/demo-project/secrets/${body}/versions/latest`,
    ],
    invalid: [
      'gcpsm:db:0',
      'gcpsm:db:1:2',
      'gcpsm:db?project=Not_A_Project',
      'gcpsm:projects/demo-project/secrets/db?project=x',
    ],
  },
);
// #endregion suite

describe('the example provider', () => {
  it('reads the latest version and a pinned one', async () => {
    const first = gcp.add('demo-project', 'db-password', 'first');
    gcp.add('demo-project', 'db-password', 'second');
    // #region usage
    const resolver = createResolver({
      providers: [gcpSecretsProvider({ project: 'demo-project', endpoint: gcp.endpoint, token: () => gcp.token })],
    });
    const password = await resolver.resolve('gcpsm:db-password'); // the latest version
    // #endregion usage
    expect(password).toBe('second');
    expect(await resolver.resolve(`gcpsm:db-password:${first}`)).toBe('first');
    expect(resolver.parse('gcpsm:db-password?project=demo-project').body).toBe(
      'projects/demo-project/secrets/db-password/versions/latest',
    );
    resolver.dispose();
  });

  it('types each failure: not found, access denied, no token', async () => {
    const make = (token: () => string) =>
      createResolver({ providers: [gcpSecretsProvider({ project: 'demo-project', endpoint: gcp.endpoint, token })] });
    const denied = make(() => 'wrong-token');
    await expect(denied.resolve('gcpsm:anything')).rejects.toBeInstanceOf(AccessDeniedError);
    const missing = make(() => gcp.token);
    await expect(missing.resolve('gcpsm:db-password:99')).rejects.toBeInstanceOf(SecretNotFoundError);
    const noToken = make(() => {
      throw new Error('no credentials');
    });
    const error = await noToken.resolve('gcpsm:db-password').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(true);
    for (const resolver of [denied, missing, noToken]) resolver.dispose();
  });
});
