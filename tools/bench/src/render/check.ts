/** What a results file must hold before anything is rendered from it: every page and chart, or none. */
import { CONTENDERS, type Results } from '../results.ts';

const POSITIVE = new Set([
  'machine.clockReadNs',
  'machine.nodeStartMs',
  'herd.secretref',
  'warm.resolveRatio',
  'warm.peekRatio',
  'warm.powertoolsRatio',
  'warm.powertoolsFloorRatio',
  'warm.peek',
  'warm.powertools',
  'startup.ownCodeBytes',
  'scale.resolvesPerSecond',
]);
const REQUIRED = [
  ...POSITIVE,
  'machine.cores',
  'machine.memoryGiB',
  'machine.nodeExitMs',
  'setup.rounds',
  'setup.latencyMs',
  'herd.powertools',
  'warm.turns',
  'warm.mapGet',
  'warm.mapGetSync',
  'throttle.secretref',
  'throttle.powertools',
  'startup.importRuns',
  'startup.ownCodeStringBytes',
  'scale.keys',
  'scale.bytesPerEntry',
];

/** The problems of `r`, as paths and what is wrong; empty when it can be rendered. */
export function resultProblems(r: Results): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value < 0) problems.push(`${path} is ${value}, not a finite number >= 0`);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) walk(v, path ? `${path}.${key}` : key);
    } else if (value === null && !path.endsWith('.allReadyS')) {
      problems.push(`${path} is null`);
    }
  };
  walk(r, '');
  // Every number the pages print must be there, and the ones they divide by or judge must be > 0.
  const at = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], r);
  for (const path of REQUIRED) {
    const value = at(path);
    if (typeof value !== 'number') problems.push(`${path} is missing (not a number)`);
    else if (POSITIVE.has(path) && value === 0) problems.push(`${path} is 0`);
  }
  for (const form of ['unbundled', 'bundled'] as const) {
    for (const c of CONTENDERS) {
      const runs = r.cold?.[form]?.[c];
      if (!runs || runs.ms.length === 0) problems.push(`cold.${form}.${c} has no runs`);
      else if (runs.ms.some((ms) => typeof ms !== 'number' || ms <= 0)) {
        problems.push(`cold.${form}.${c} has a run that is no time > 0`);
      } else if (!(runs.calls > 0 && runs.peak > 0)) problems.push(`cold.${form}.${c} made no calls`);
      else if (runs.count !== r.setup.parameters + r.setup.secrets) {
        problems.push(`cold.${form}.${c} read ${runs.count} values, not ${r.setup.parameters + r.setup.secrets}`);
      }
    }
  }
  for (const name of ['secretref', 'secretref, fetch only', 'bare SSM client', 'powertools']) {
    if (!r.startup?.bundles?.[name]) problems.push(`startup.bundles has no "${name}"`);
  }
  if (!(r.throttle?.reads > 0)) problems.push('throttle.reads must be at least 1');
  if (!(r.herd?.callers > 0)) problems.push('herd.callers must be at least 1');
  if (!(r.warm?.floor > 0 && r.warm?.syncFloor > 0 && r.warm?.resolve > 0)) problems.push('warm times must be > 0');
  return problems;
}
