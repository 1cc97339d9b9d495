import { describe, expect, it } from 'vitest';
import { atRate } from '../src/fault-proxy.ts';

describe('atRate', () => {
  it('fails the given share of requests, only for the given operations', () => {
    const rolls = [0.1, 0.5, 0.29, 0.3, 0.9];
    const fault = atRate('throttle', 0.3, { operations: ['GetParameters'], random: () => rolls.shift() ?? 1 });
    expect(
      ['GetParameters', 'GetParameters', 'GetParameters', 'GetParameters'].map((op) => fault(op, undefined)),
    ).toEqual(['throttle', undefined, 'throttle', undefined]);
    expect(fault('GetSecretValue', undefined)).toBeUndefined();
  });
});
