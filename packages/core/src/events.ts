/**
 * Diagnostics events on `node:diagnostics_channel`. Subscribe with
 * `diagnostics_channel.subscribe('secretref:fetch', listener)`. Events carry canonical references,
 * codes and timings, never values. Publishing costs nothing when no one subscribes.
 */
import { type Channel, channel } from 'node:diagnostics_channel';
import type { SecretrefError } from './errors.ts';

/** A cached value was returned. */
export interface HitEvent {
  readonly ref: string;
  readonly scheme: string;
}

/** No fresh value was cached; a fetch was started or joined. */
export interface MissEvent {
  readonly ref: string;
  readonly scheme: string;
  /** `cold`: nothing cached; `expired`: past its TTL; `forced`: `forceFetch`. */
  readonly reason: 'cold' | 'expired' | 'forced';
}

/** One provider call finished (one batch). */
export interface FetchEvent {
  readonly scheme: string;
  readonly region: string | undefined;
  /** The canonical references in the batch. */
  readonly refs: readonly string[];
  readonly durationMs: number;
  /** How many references in the batch failed. */
  readonly failed: number;
  /** How it was sent, as the provider reported it (an AWS transport: `sdk`, `fetch`, `agent`); often empty. */
  readonly via: readonly string[];
  /** The version fetched of each reference whose provider names one (AppConfig's version label), by canonical reference. */
  readonly versions: Readonly<Record<string, string>>;
}

/** A refresh failed transiently and the last good value was returned instead. */
export interface StaleServedEvent {
  readonly ref: string;
  readonly scheme: string;
  /** How long ago the served value was fetched. */
  readonly ageMs: number;
  /** The failure that was masked. */
  readonly error: SecretrefError;
}

/**
 * A service's governor changed state: `throttled` when the service first throttled a call (calls to it
 * now wait their turn, at `ratePerS`), `recovered` when its rate climbed back (calls go freely again).
 */
export interface ThrottleEvent {
  /** The provider's first scheme: its service. */
  readonly scheme: string;
  readonly region: string | undefined;
  readonly state: 'throttled' | 'recovered';
  /** The calls a second it lets through now; `undefined` once recovered. */
  readonly ratePerS: number | undefined;
}

/** A resolve failed (the error is also thrown to the caller). */
export interface ErrorEvent {
  readonly ref: string;
  readonly scheme: string;
  readonly error: SecretrefError;
}

/** Channel names, for `diagnostics_channel.subscribe`. */
export const CHANNELS: {
  readonly hit: 'secretref:hit';
  readonly miss: 'secretref:miss';
  readonly fetch: 'secretref:fetch';
  readonly staleServed: 'secretref:stale-served';
  readonly throttle: 'secretref:throttle';
  readonly error: 'secretref:error';
} = {
  hit: 'secretref:hit',
  miss: 'secretref:miss',
  fetch: 'secretref:fetch',
  staleServed: 'secretref:stale-served',
  throttle: 'secretref:throttle',
  error: 'secretref:error',
};

/** The channels themselves, shared by every resolver in the process. */
export const channels: Readonly<Record<keyof typeof CHANNELS, Channel>> = {
  hit: channel(CHANNELS.hit),
  miss: channel(CHANNELS.miss),
  fetch: channel(CHANNELS.fetch),
  staleServed: channel(CHANNELS.staleServed),
  throttle: channel(CHANNELS.throttle),
  error: channel(CHANNELS.error),
};
