/** What this machine costs on its own: a clock read, and Node's start and exit with nothing to do. */
import { cpus, totalmem } from 'node:os';
import { startProcess } from '@secretref/local-aws';
import { nsPerOpSync } from '../measure.ts';
import type { Results } from '../results.ts';
import { median } from '../stats.ts';

export async function measureMachine(rounds: number): Promise<Results['machine']> {
  const starts: number[] = [];
  const exits: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const begin = performance.now();
    const child = startProcess(process.execPath, ['-e', 'console.log(performance.now())'], {});
    await child.exited;
    exits.push(performance.now() - begin);
    starts.push(Number(child.output().stdout.trim()));
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    clockReadNs: nsPerOpSync(() => performance.now()),
    nodeStartMs: median(starts),
    nodeExitMs: median(exits),
  };
}
