/** Unit-testing app code that calls secretref, with no AWS: the test kit. */

// #region mock
import { mockSecrets } from 'secretref/testing';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config.ts';

describe('getConfig', () => {
  it('builds the config from the resolved secrets', async () => {
    const mock = mockSecrets({
      'ssm:/demo/db/password': 'test-password',
      'ssm:/demo/db/config': '{"port":5432}',
      'ssm:/demo/stripe/api-key': 'sk_test_x',
      'ssm:/demo/allowed-hosts': 'a.example,b.example',
      'secretsmanager:demo/rds': '{"username":"app","password":"rds-test"}',
    });
    try {
      const config = await getConfig();
      expect(config.db).toEqual({ password: 'test-password', port: 5432 });
      expect(config.hosts).toEqual(['a.example', 'b.example']);
      expect(config.rdsPassword).toBe('rds-test');
      expect(mock.calls).toHaveLength(2); // one batch per service
    } finally {
      mock.restore();
    }
  });
});
// #endregion mock
