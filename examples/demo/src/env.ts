/** Environment loading, as an app's entry point does it: references in process.env become values. */
// #region load-env
import { loadEnv } from 'secretref';

// The deployment sets, for example:
//   DATABASE_URL=postgres://app:{{ secretsmanager:demo/rds#password }}@db.internal:5432/app
//   STRIPE_KEY={{resolve:ssm-secure:/demo/stripe/api-key}}
//   DB_PASSWORD=ssm:/demo/db/password
//   LOG_LEVEL=info                           (plain values are left alone)
export async function loadAppEnv(): Promise<void> {
  await loadEnv(); // one batch for every reference; on any failure nothing is written
}
// #endregion load-env
