/**
 * What AWS's local caches serve of Secrets Manager (the Parameters and Secrets Lambda Extension, the
 * Secrets Manager Agent): `GetSecretValue`, one secret a GET, by version id or stage;
 * `BatchGetSecretValue` as parallel GETs. A forced fetch asks the Secrets Manager Agent to refresh
 * (`refreshNow`), and goes direct in Lambda: the extension documents no `refreshNow`.
 */
import type { AgentRoute } from '@secretref/aws';

export const SECRETS_MANAGER_AGENT: AgentRoute = {
  path: '/secretsmanager/get',
  single: 'GetSecretValue',
  query(input, forced, lambda) {
    // The extension has no refreshNow: a forced fetch there goes direct.
    if (forced && lambda) return undefined;
    const query = new URLSearchParams({ secretId: String(input.SecretId) });
    if (typeof input.VersionId === 'string') query.set('versionId', input.VersionId);
    if (typeof input.VersionStage === 'string') query.set('versionStage', input.VersionStage);
    if (forced) query.set('refreshNow', 'true');
    return query;
  },
  batch: {
    operation: 'BatchGetSecretValue',
    items: (input) => (input.SecretIdList as string[]).map((SecretId) => ({ SecretId })),
    input: (items) => ({ SecretIdList: items.map((item) => item.SecretId) }),
    assemble(outcomes, items) {
      const SecretValues: unknown[] = [];
      const Errors: unknown[] = [];
      outcomes.forEach((outcome, i) => {
        // As BatchGetSecretValue answers: the secrets it read, and an error entry for each it could not.
        if ('output' in outcome) SecretValues.push(outcome.output);
        else
          Errors.push({ SecretId: items[i]?.SecretId, ErrorCode: outcome.error.name, Message: outcome.error.message });
      });
      return { SecretValues, Errors };
    },
  },
};
