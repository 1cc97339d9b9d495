/**
 * What AWS's Parameters and Secrets Lambda Extension serves of SSM: `GetParameter`, one parameter a
 * GET, with its version or label as a query parameter; `GetParameters` as parallel GETs. A forced
 * fetch goes direct: the extension has no way to skip its cache for parameters.
 */
import type { AgentRoute } from '@secretref/aws';

/** The name and the selector of a name sent to SSM (`/a/b:3`, `arn:...:parameter/a/b:live`), as the extension's query. */
function parameterQuery(wire: string): URLSearchParams {
  const start = wire.startsWith('arn:') ? wire.indexOf(':parameter/') + ':parameter/'.length : 0;
  const colon = wire.indexOf(':', start);
  const query = new URLSearchParams({ name: colon < 0 ? wire : wire.slice(0, colon) });
  if (colon >= 0) {
    const selector = wire.slice(colon + 1);
    query.set(/^\d+$/.test(selector) ? 'version' : 'label', selector);
  }
  query.set('withDecryption', 'true');
  return query;
}

const NOT_FOUND = new Set(['ParameterNotFound', 'ParameterVersionNotFound']);

export const SSM_AGENT: AgentRoute = {
  path: '/systemsmanager/parameters/get',
  single: 'GetParameter',
  query: (input, forced) => (forced ? undefined : parameterQuery(String(input.Name))),
  batch: {
    operation: 'GetParameters',
    items: (input) => (input.Names as string[]).map((Name) => ({ Name, WithDecryption: true })),
    input: (items) => ({ Names: items.map((item) => item.Name), WithDecryption: true }),
    assemble(outcomes, items) {
      const Parameters: unknown[] = [];
      const InvalidParameters: unknown[] = [];
      outcomes.forEach((outcome, i) => {
        // As GetParameters answers: a name that does not exist is listed; any other error fails the call.
        if ('output' in outcome) Parameters.push(outcome.output.Parameter);
        else if (NOT_FOUND.has(outcome.error.name)) InvalidParameters.push(items[i]?.Name);
        else throw outcome.error;
      });
      return { Parameters, InvalidParameters };
    },
  },
};
