/**
 * A stand-in for a database pool (pg, mysql2...): built from a user and password, rebuilt when the
 * password rotates. It keeps the password wrapped and never reports it.
 */
import type { Secret } from 'secretref';

export interface Pool {
  /** 1 for the first pool, +1 for each rebuild. */
  readonly generation: number;
  readonly user: string;
  /** What a health check reports: never the password. */
  status(): { user: string; generation: number; createdAt: string };
  end(): void;
}

let generations = 0;

export function createPool(user: string, password: Secret<unknown>): Pool {
  const generation = ++generations;
  const createdAt = new Date().toISOString();
  // A real pool would pass password.reveal() to the driver here, and nowhere else.
  void password;
  return {
    generation,
    user,
    status: () => ({ user, generation, createdAt }),
    end() {},
  };
}
