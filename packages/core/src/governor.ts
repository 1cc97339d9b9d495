/**
 * The throttle governor: one per provider and region in a resolver (a provider speaks to one
 * service), the gate every call to that service passes, first attempts and retries alike. It lets
 * calls through freely until the service throttles one. Then it sends at most `rate` calls a second:
 * a token bucket of one token, each token's time drawn with full jitter, so that the processes of a
 * fleet spread out. The rate halves on a throttle (once for the calls that met the same rate), doubles
 * on a success, and doubles every two intervals without a throttle; once it is twice what it was when
 * the service first throttled, calls go freely again. The AWS SDK's adaptive retry mode works alike
 * with CUBIC's curve, whose constants suit one client at a few calls a second; a process of a fleet
 * must find its share, a call a minute or a hundred a second, in a few throttles, so every step here
 * is a factor. Its clock and random source are the resolver's. See docs/scaling.md.
 */
/** The governor's constants (docs/scaling.md shows their effect on a fleet). */
export const GOVERNOR: {
  readonly cut: number;
  readonly growth: number;
  readonly doublingIntervals: number;
  readonly minRatePerS: number;
  readonly firstRetryMs: number;
  readonly windowMs: number;
} = {
  /** The rate's factor on a throttle. */
  cut: 0.5,
  /** The rate's factor on a success. */
  growth: 2,
  /** With no throttle, the rate doubles in this many intervals at the rate. */
  doublingIntervals: 2,
  /** The lowest rate, calls/s: a call a minute, on average. */
  minRatePerS: 1 / 60,
  /** The longest wait for the call after the first throttle, in ms (full jitter). */
  firstRetryMs: 100,
  /** The window in which calls sent count as the rate the service throttled first. */
  windowMs: 1000,
};

/** What a governor is, for `stats()` and the throttle event. */
export interface GovernorState {
  /** True from a throttle until the rate has climbed back: calls wait their turn. */
  readonly limiting: boolean;
  /** The calls a second it lets through while limiting; `undefined` while it is not. */
  readonly ratePerS: number | undefined;
  /** Calls the service throttled, since the resolver was created. */
  readonly throttled: number;
}

/** The gate of one service and region. */
export interface Governor {
  /** How long a call must wait from `now`, in ms (0: it may go now). */
  delay(now: number): number;
  /** A call is sent at `now` (it takes this turn's token); returns its number, for `ended`. */
  sent(now: number): number;
  /**
   * The call numbered `call` ended at `now`: throttled, answered, or failed otherwise (a timeout, a 5xx:
   * no word on the rate); returns a change of `limiting`.
   */
  ended(call: number, now: number, outcome: 'throttled' | 'ok' | 'failed'): 'throttled' | 'recovered' | undefined;
  state(now: number): GovernorState;
}

/** Creates a governor on the resolver's time (passed in as `now`), drawing its jitter from `random`. */
export function createGovernor(random: () => number): Governor {
  let limiting = false;
  let throttled = 0;
  // Calls sent, numbered. While limiting: the rate at the first throttle, the rate set last (`base`)
  // and when, the last call sent before the last cut, and when the next call may go.
  let calls = 0;
  let first = 0;
  let base = 0;
  let setAt = 0;
  let cutAfter = 0;
  let nextAt = 0;
  // Send times in the last window: the rate the service saw when it first throttled.
  const recent: number[] = [];

  /** The rate at `now`: the one set last, doubled every `doublingIntervals` intervals since, up to where it recovers. */
  const rate = (now: number): number =>
    Math.min(2 * first, base * 2 ** (((now - setAt) / 1000) * (base / GOVERNOR.doublingIntervals)));
  /** The next call's time after one at `at`: a full-jitter interval, averaging 1 / rate. */
  const next = (at: number): number => at + random() * (2000 / rate(at));

  return {
    delay: (now) => (limiting ? Math.max(0, nextAt - now) : 0),
    sent(now) {
      while (recent.length > 0 && (recent[0] as number) <= now - GOVERNOR.windowMs) recent.shift();
      recent.push(now);
      if (limiting) nextAt = next(Math.max(now, nextAt));
      return ++calls;
    },
    ended(call, now, outcome) {
      if (outcome === 'throttled') throttled++;
      // A call sent before the last cut met the old rate: it says nothing of the new one.
      if (call <= cutAfter || outcome === 'failed') return undefined;
      if (outcome === 'ok') {
        if (!limiting) return undefined;
        base = rate(now) * GOVERNOR.growth;
        setAt = now;
        if (base < 2 * first) return undefined;
        limiting = false;
        return 'recovered';
      }
      const from = limiting ? rate(now) : Math.max(recent.length * (1000 / GOVERNOR.windowMs), GOVERNOR.minRatePerS);
      if (!limiting) first = from;
      base = Math.max(GOVERNOR.minRatePerS, from * GOVERNOR.cut);
      setAt = now;
      cutAfter = calls;
      if (limiting) {
        nextAt = next(now);
        return undefined;
      }
      // The first throttle may be a blip: the next call goes within `firstRetryMs` (the SDK's standard
      // retry would wait as long), and the rate paces the calls after it.
      nextAt = now + random() * GOVERNOR.firstRetryMs;
      limiting = true;
      return 'throttled';
    },
    state: (now) => ({ limiting, ratePerS: limiting ? rate(now) : undefined, throttled }),
  };
}
