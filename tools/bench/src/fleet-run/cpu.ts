/**
 * The machine's CPU while a run goes on: the busy share of all cores, second by second, from
 * /proc/stat (Linux; elsewhere nothing is sampled), and the 1-minute load average at its peak.
 */
import { readFileSync } from 'node:fs';

/** Busy and total jiffies over all cores, or undefined without /proc/stat. */
function jiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle and iowait are the 4th and 5th fields.
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

function loadAverage(): number | undefined {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** What the sampler saw: the busiest second and the mean (shares of all cores), the peak 1-min load. */
export interface CpuSamples {
  readonly peakBusy: number | null;
  readonly meanBusy: number | null;
  readonly peakLoad1: number | null;
}

/** Samples every second until `stop()`. */
export function sampleCpu(): { stop(): CpuSamples } {
  const busy: number[] = [];
  let peakLoad1: number | null = null;
  let last = jiffies();
  const timer = setInterval(() => {
    const now = jiffies();
    if (now && last && now.total > last.total) busy.push((now.busy - last.busy) / (now.total - last.total));
    last = now;
    const load = loadAverage();
    if (load !== undefined) peakLoad1 = Math.max(peakLoad1 ?? 0, load);
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const round = (x: number) => Number(x.toFixed(3));
      return {
        peakBusy: busy.length ? round(Math.max(...busy)) : null,
        meanBusy: busy.length ? round(busy.reduce((a, b) => a + b, 0) / busy.length) : null,
        peakLoad1,
      };
    },
  };
}
