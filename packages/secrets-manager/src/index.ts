/**
 * @secretref/secrets-manager: the Secrets Manager provider (`secretsmanager:` references, secret
 * ARNs, and CloudFormation's `{{resolve:secretsmanager:...}}`). See docs/providers/secrets-manager.md.
 *
 * @module @secretref/secrets-manager
 */
export { parseSecretsManagerBody, type SecretsManagerLocator } from './parse.ts';
export {
  type SecretsManagerFetchProviderOptions,
  type SecretsManagerProviderOptions,
  secretsManagerFetchProvider,
  secretsManagerProvider,
} from './provider.ts';
export { SECRETS_MANAGER_SERVICE } from './service.ts';
