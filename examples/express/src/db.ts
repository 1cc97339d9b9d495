/**
 * A stand-in for a database pool (pg, mysql2...): built from a user and a password, rebuilt when the
 * password rotates. It keeps the password wrapped; its status never shows it, nor a digest of it (a
 * dictionary reverses a plain digest of a password a person chose).
 */
import type { Secret } from 'secretref';

/** What `GET /db` reports. */
interface PoolStatus {
  readonly user: string;
  /** 1 for the first pool, +1 for each rebuild. */
  readonly generation: number;
  readonly createdAt: string;
}

export interface Pool {
  readonly generation: number;
  status(): PoolStatus;
  end(): void;
}

let generations = 0;

export function createPool(user: string, password: Secret<string>): Pool {
  const generation = ++generations;
  const createdAt = new Date().toISOString();
  // A real pool hands password.reveal() to its driver here, and nowhere else. Like pg's Pool it would
  // connect lazily, so building it cannot fail halfway.
  void password;
  return {
    generation,
    status: () => ({ user, generation, createdAt }),
    end() {},
  };
}
