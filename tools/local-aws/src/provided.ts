import type {} from 'vitest';

declare module 'vitest' {
  /** What the integration project's global setup provides: `inject('awsEndpoint')`, `inject('appconfigEndpoint')`. */
  export interface ProvidedContext {
    /** moto's endpoint, `http://127.0.0.1:<port>`. */
    awsEndpoint: string;
    /**
     * The AppConfigData emulator's endpoint (moto has none), `http://127.0.0.1:<port>`; seed it through its
     * `/_emulator/` control routes (see appconfig/start.ts).
     */
    appconfigEndpoint: string;
  }
}
