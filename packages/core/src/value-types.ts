/**
 * What a reference resolves to, as a type: the options' `as`, else what the reference literal says
 * by itself (`?as=`, a `#fragment`, an SSM path, a JSON key in Secrets Manager's colon fields, an AppConfig profile).
 * docs/reference-syntax.md ("Typing") has the rules.
 */
import type { ValueType } from './provider.ts';

/**
 * The value type `as` gives: bytes, a list, JSON (`J`), or a string.
 *
 * @group Typing helpers
 */
export type ValueAs<A, J = unknown> = A extends 'binary'
  ? Uint8Array
  : A extends 'list'
    ? readonly string[]
    : A extends 'json'
      ? J
      : string;

/**
 * A reference before its fragment: a `?` after `#` is the fragment's.
 *
 * @group Typing helpers
 */
export type RefBeforeFragment<R extends string> = R extends `${infer Head}#${string}` ? Head : R;

/**
 * A reference before its query and fragment.
 *
 * @group Typing helpers
 */
export type RefBody<R extends string> =
  RefBeforeFragment<R> extends `${infer Head}?${string}` ? Head : RefBeforeFragment<R>;

/**
 * `?name=value` in a reference's query (`?as=json`, `&optional=true`).
 *
 * @group Typing helpers
 */
export type RefQuery<R extends string, P extends string> =
  RefBeforeFragment<R> extends `${string}?${P}${string}` | `${string}&${P}${string}` ? true : false;

/**
 * Does a run of colon fields start with a JSON key (`port::` yes, `::AWSPREVIOUS` no)?
 *
 * @group Typing helpers
 */
export type RefFirstField<K extends string> = K extends '' | `:${string}` ? false : true;

/**
 * Does a Secrets Manager reference name a JSON key in its colon fields, as ECS, CodeBuild and
 * CloudFormation write it (`secretsmanager:prod/db:password::`, a secret ARN followed by
 * `:password::`, `{{resolve:secretsmanager:prod/db:SecretString:password}}`)?
 *
 * @group Typing helpers
 */
export type SecretJsonKey<B extends string> = B extends `{{resolve:secretsmanager:${string}:SecretString:${infer K}}}`
  ? RefFirstField<K>
  : B extends `${'' | 'secretsmanager:'}arn:${string}:secretsmanager:${string}:${string}:secret:${string}:${infer K}`
    ? RefFirstField<K>
    : B extends `secretsmanager:${infer Name}:${infer K}`
      ? Name extends `arn${string}`
        ? false
        : RefFirstField<K>
      : false;

/**
 * What a reference written as a literal resolves to by itself: its `?as=`, else JSON for a fragment
 * (`#port`), a JSON key in Secrets Manager's colon fields, an SSM path (`ssm:/app/`) or an AppConfig profile (JSON or text, by its content type), else a
 * string. A reference that is no literal is a string.
 *
 * @group Typing helpers
 */
export type RefAs<R extends string> = string extends R
  ? 'string'
  : RefQuery<R, 'as=binary'> extends true
    ? 'binary'
    : RefQuery<R, 'as=list'> extends true
      ? 'list'
      : RefQuery<R, 'as=json'> extends true
        ? 'json'
        : RefQuery<R, 'as=string'> extends true
          ? 'string'
          : R extends `${string}#${string}`
            ? 'json'
            : RefBody<R> extends `${string}/`
              ? 'json'
              : SecretJsonKey<RefBody<R>> extends true
                ? 'json'
                : RefBody<R> extends `appconfig:${string}`
                  ? 'json'
                  : 'string';

/**
 * The value of a reference `R` resolved with options `O`: typed by the options' `as`, else by the
 * reference's own `?as=`, fragment or path; `| undefined` when either says `optional`. `J` is what
 * JSON is typed as (`unknown` unless named).
 */
export type ResolvedValue<R extends string, O = object, J = unknown> = RefMaybe<
  O extends { readonly as: infer A extends ValueType } ? ValueAs<A, J> : ValueAs<RefAs<R>, J>,
  O extends { readonly optional: infer P extends boolean } ? P : string extends R ? false : RefQuery<R, 'optional=true'>
>;

/**
 * `V`, or `V | undefined` when `Optional` is `true`.
 *
 * @group Typing helpers
 */
export type RefMaybe<V, Optional> = Optional extends true ? V | undefined : V;

/**
 * What an entry of `resolveAll` resolves to: a reference string, or `{ ref, ...options }`.
 *
 * @group Typing helpers
 */
export type SpecValue<S> = S extends string
  ? ResolvedValue<S>
  : S extends { readonly ref: infer R extends string }
    ? ResolvedValue<R, S>
    : unknown;

/** What `resolveAll` returns for an object of references. */
export type ResolvedAll<M> = { -readonly [K in keyof M]: SpecValue<M[K]> };
