/** The fleet model (../fleet.ts) at each fleet size, for each strategy. Deterministic. */
import { FLEET_MODEL, type Strategy, simulate } from '../fleet.ts';
import type { Results } from '../results.ts';

const STRATEGIES: readonly { name: string; strategy: Strategy; ttlS?: number }[] = [
  { name: 'secretref (TTL 5 min)', strategy: 'secretref' },
  { name: 'secretref (TTL 1 h)', strategy: 'secretref', ttlS: 3600 },
  { name: `Powertools defaults (TTL ${FLEET_MODEL.powertoolsTtlS} s)`, strategy: 'powertools' },
  { name: 'naive per-request fetch', strategy: 'naive' },
];

export function measureFleet(sizes: readonly number[] = [10, 100, 1000, 10_000]): Results['fleet'] {
  return {
    sizes,
    model: FLEET_MODEL,
    strategies: STRATEGIES.map((s) => ({
      name: s.name,
      results: sizes.map((processes) => simulate(s.strategy, { processes, ...(s.ttlS ? { ttlS: s.ttlS } : {}) })),
    })),
  };
}
