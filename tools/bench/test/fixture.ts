/** A results.json as `pnpm bench` writes it (numbers of a real run, rounded), for the render tests. */
import type { ColdRuns, Contender, Results } from '../src/results.ts';

const runs = (ms: number[], calls: number, peak = calls): ColdRuns => ({ ms, calls, peak, count: 30 });
const form = (scale: number): Record<Contender, ColdRuns> => ({
  secretref: runs(
    [552, 540, 561].map((v) => v * scale),
    4,
  ),
  'secretref-fetch': runs(
    [352, 340, 361].map((v) => v * scale),
    4,
  ),
  'secretref-sdk': runs(
    [452, 440, 461].map((v) => v * scale),
    4,
  ),
  powertools: runs(
    [574, 580, 570].map((v) => v * scale),
    8,
    6,
  ),
  middy: runs(
    [459, 470, 450].map((v) => v * scale),
    8,
  ),
  sdk: runs(
    [661, 650, 670].map((v) => v * scale),
    30,
  ),
  floor: runs(
    [160, 150, 170].map((v) => v * scale),
    4,
  ),
});

export const RESULTS: Results = {
  date: '2026-12-01',
  machine: {
    cpu: 'Test CPU',
    cores: 2,
    memoryGiB: 24,
    node: 'v20.20.2',
    platform: 'linux',
    clockReadNs: 80,
    nodeStartMs: 40,
    nodeExitMs: 60,
  },
  setup: { rounds: 3, latencyMs: 20, parameters: 25, secrets: 5 },
  cold: { unbundled: form(1), bundled: form(0.8) },
  herd: { callers: 100, secretref: 1, powertools: 100 },
  warm: {
    turns: 25,
    mapGet: 175,
    floor: 187,
    resolve: 219,
    resolveRatio: 1.08,
    mapGetSync: 20,
    syncFloor: 102,
    peek: 119,
    peekRatio: 1.19,
    powertools: 861,
    powertoolsRatio: 3.2,
    powertoolsFloorRatio: 3.5,
  },
  throttle: { reads: 10, secretref: 10, powertools: 0 },
  startup: {
    importRuns: 7,
    bundles: {
      secretref: { bytes: 696_700, importMs: 120 },
      'secretref, fetch only': { bytes: 73_700, importMs: 30 },
      'bare SSM client': { bytes: 631_800, importMs: 110 },
      powertools: { bytes: 642_600, importMs: 115 },
    },
    ownCodeBytes: 45_400,
    ownCodeStringBytes: 12_100,
  },
  scale: { keys: 1000, bytesPerEntry: 900, resolvesPerSecond: 3_000_000 },
};
