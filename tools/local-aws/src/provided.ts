import type {} from 'vitest';

declare module 'vitest' {
  /** What the integration project's global setup provides: `inject('awsEndpoint')`. */
  export interface ProvidedContext {
    /** moto's endpoint, `http://127.0.0.1:<port>`. */
    awsEndpoint: string;
  }
}
