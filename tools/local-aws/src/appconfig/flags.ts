/**
 * Feature flag documents (profile type `AWS.AppConfig.FeatureFlags`): what is stored,
 * `{"version":"1","flags":{..},"values":{"f":{"enabled":true,"attributeValues":{..}}}}`, and the values form that
 * GetLatestConfiguration and the agent serve.
 */
import { AppConfigEmulatorError, type Json } from './wire.ts';

/** Flag and attribute keys, from the AWS.AppConfig.FeatureFlags JSON schema. */
const FLAG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The values form of a flag document: `{flag: {enabled, ...attributeValues}}`. A disabled flag, or one with no
 * value, is `{"enabled": false}` without its attributes (inferred from AWS's console preview, not confirmed).
 */
export function flagValues(document: Json): Json {
  const flags = isObject(document.flags) ? document.flags : {};
  const values = isObject(document.values) ? document.values : {};
  const out: Json = {};
  for (const key of new Set([...Object.keys(flags), ...Object.keys(values)])) {
    const value = values[key];
    const enabled = isObject(value) && value.enabled === true;
    const attributes = isObject(value) && isObject(value.attributeValues) ? value.attributeValues : {};
    out[key] = enabled ? { enabled: true, ...attributes } : { enabled: false };
  }
  return out;
}

/** Checks what AWS checks first: JSON, `"version": "1"`, and the key pattern. */
export function parseFlagDocument(content: Uint8Array): Json {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(content));
  } catch {
    throw new AppConfigEmulatorError(400, 'a feature flag configuration must be JSON');
  }
  if (!isObject(document) || document.version !== '1')
    throw new AppConfigEmulatorError(400, 'a feature flag configuration needs "version": "1"');
  for (const part of ['flags', 'values'])
    for (const key of Object.keys(isObject(document[part]) ? document[part] : {}))
      if (!FLAG_KEY.test(key))
        throw new AppConfigEmulatorError(400, `flag key ${JSON.stringify(key)} does not match ${FLAG_KEY}`);
  return document;
}

/** The document with `flag` set; `attributes` replace its attribute values, omitted they are kept. */
export function withFlag(
  document: Json,
  flag: string,
  enabled: boolean,
  attributes: Readonly<Record<string, unknown>> | undefined,
): Json {
  const flags: Json = isObject(document.flags) ? { ...document.flags } : {};
  const values: Json = isObject(document.values) ? { ...document.values } : {};
  const previous = values[flag];
  const attributeValues =
    attributes ?? (isObject(previous) && isObject(previous.attributeValues) ? previous.attributeValues : {});
  const keys = Object.keys(attributeValues);
  const definition: Json = isObject(flags[flag]) ? { ...flags[flag] } : { name: flag };
  delete definition.attributes;
  if (keys.length > 0) definition.attributes = Object.fromEntries(keys.map((key) => [key, {}]));
  flags[flag] = definition;
  values[flag] = { enabled, ...(keys.length > 0 && { attributeValues }) };
  return { ...document, flags, values };
}
