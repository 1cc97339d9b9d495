/** The app's config: references resolved in one batch, secrets kept wrapped, validated by zod. */
// #region config
import { loadConfig, Secret, secret } from 'secretref';
import { z } from 'zod';

// A Secret holding a non-empty string: checked inside, never quoted in an error.
const secretString = z.custom<Secret<string>>(
  (value) => value instanceof Secret && typeof value.reveal() === 'string' && value.reveal() !== '',
  'expected a secret string',
);

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  db: z.object({ user: z.string().min(1), password: secretString }),
  apiKey: secretString,
});

export type Config = z.infer<typeof schema>;

/** `prefix` names the app's parameters and secret (`express-demo` by default). */
export function loadAppConfig(prefix = 'express-demo'): Promise<Config> {
  return loadConfig(
    {
      port: `ssm:/${prefix}/port`,
      db: {
        user: `secretsmanager:${prefix}/db#username`,
        password: secret(`secretsmanager:${prefix}/db#password`),
      },
      apiKey: secret(`ssm:/${prefix}/api-key`),
    },
    { schema },
  );
}
// #endregion config
