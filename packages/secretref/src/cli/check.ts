/**
 * `secretref check`: resolves every reference in the environment and prints a table, variable ->
 * ok or why it failed, never a value. For deploy pipelines and container health checks.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { AGENT_FALLBACK_CHANNEL, type AgentFallbackEvent } from '@secretref/aws';
import { CHANNELS, createResolver, type FetchEvent, resolveEnvWith } from '@secretref/core';
import { awsProviders, awsTransportChoice } from '../default.ts';
import { describeError, EXIT, type Io, parseCommandArgs, UsageError } from './io.ts';

const USAGE = `Usage: secretref check

Resolves every reference in the environment (values such as ssm:/app/db, {{resolve:...}}, secret
ARNs, and templates with {{ reference }} parts) and prints a table: each variable and "ok", or the
reason code and message of its failure, and which AWS transport sent the calls (SECRETREF_AWS_TRANSPORT
chooses one; docs/providers/transports.md). Values are never printed.

Exit codes: 0 every reference resolved, 1 any failed, 2 usage.
`;

function table(rows: readonly (readonly [string, string, string])[]): string {
  const widths = [0, 1].map((c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  return rows
    .map(([a, b, c]) => `${a.padEnd(widths[0] ?? 0)}  ${c ? `${b.padEnd(widths[1] ?? 0)}  ${c}` : b}`.trimEnd())
    .join('\n');
}

/** Runs `secretref check`; returns the exit code. */
export async function checkCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', {
    args: [...args],
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`check takes no arguments (it was given ${positionals.length})`);
  // The command's own resolver, disposed when it is done: the process's default one is left alone.
  const resolver = createResolver({ providers: awsProviders() });
  // What the calls were sent by, and why the agent did not answer, as the events say.
  const sent = new Map<string, number>();
  const fallbacks = new Map<string, number>();
  const onFetch = (event: unknown) => {
    for (const via of (event as FetchEvent).via) sent.set(via, (sent.get(via) ?? 0) + 1);
  };
  const onFallback = (event: unknown) => {
    const { reason } = event as AgentFallbackEvent;
    fallbacks.set(reason, (fallbacks.get(reason) ?? 0) + 1);
  };
  subscribe(CHANNELS.fetch, onFetch);
  subscribe(AGENT_FALLBACK_CHANNEL, onFallback);
  try {
    const { references, errors, unset } = await resolveEnvWith(resolver, { env: io.env });
    const names = Object.keys(references).sort();
    if (names.length === 0) {
      io.stdout.write('No references in the environment.\n');
      return EXIT.ok;
    }
    const rows: [string, string, string][] = [['VARIABLE', 'STATUS', '']];
    for (const name of names) {
      const error = errors[name];
      if (error) rows.push([name, error.code, describeError(error)]);
      else rows.push([name, unset.includes(name) ? 'ok (optional, not set)' : 'ok', '']);
    }
    const failed = Object.keys(errors).length;
    const { direct, agent, reason } = awsTransportChoice();
    const transport = agent ? `agent, then ${direct} for what it does not serve` : direct;
    const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
    const batches = [...sent].map(([via, n], i) => `${n}${i === 0 ? ` batch${n === 1 ? '' : 'es'}` : ''} by ${via}`);
    const calls = batches.length > 0 ? ` Sent: ${batches.join(', ')}.` : '';
    const reasons = [...fallbacks].map(([reason, n]) => `${reason} ${times(n)}`);
    const missed = reasons.length > 0 ? ` The agent did not answer: ${reasons.join(', ')}.` : '';
    io.stdout.write(
      `${table(rows)}\n\n${names.length - failed} of ${names.length} resolved. AWS transport: ${transport} (${reason}).${calls}${missed}\n`,
    );
    return failed > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    unsubscribe(CHANNELS.fetch, onFetch);
    unsubscribe(AGENT_FALLBACK_CHANNEL, onFallback);
    resolver.dispose();
  }
}
