/** A typed config: references and plain values, validated by zod (any Standard Schema validator works). */
// #region typed-config
import { loadConfig, Secret, secret } from 'secretref';
import { z } from 'zod';

const schema = z.object({
  db: z.object({
    host: z.string(),
    port: z.coerce.number().int().positive(),
    password: z.instanceof(Secret), // stays wrapped: prints [redacted], .reveal() for the driver
  }),
  stripeKey: z.instanceof(Secret),
  allowedHosts: z.array(z.string()),
  region: z.string(),
});

export function loadTypedConfig() {
  return loadConfig(
    {
      db: {
        host: 'ssm:/demo/db/config#host',
        port: 'ssm:/demo/db/config#port',
        password: secret('secretsmanager:demo/rds#password'),
      },
      stripeKey: secret('ssm:/demo/stripe/api-key'),
      allowedHosts: 'ssm:/demo/allowed-hosts?as=list',
      region: 'eu-west-1', // a plain value
    },
    { schema },
  );
}
// #endregion typed-config
