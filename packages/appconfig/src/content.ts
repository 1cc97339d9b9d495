/**
 * What a configuration's content type makes of it: JSON (`application/json`, `...+json`), text
 * (`text/*`, YAML) or bytes; and whether it is what its type says (JSON that parses).
 */

/** UTF-8 that refuses bytes that are none. */
export const utf8: InstanceType<typeof TextDecoder> = new TextDecoder('utf-8', { fatal: true });

/** What a content type makes of a configuration: JSON, text or bytes. */
export function readAs(contentType: string | undefined): 'json' | 'text' | 'bytes' {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)) return 'json';
  if (type.startsWith('text/') || /^application\/(?:x-)?yaml$/.test(type)) return 'text';
  return 'bytes';
}

/** Is a configuration what its content type says? JSON must parse; text and bytes are anything. */
export function readable(bytes: Uint8Array, contentType: string | undefined): boolean {
  if (readAs(contentType) !== 'json') return true;
  try {
    JSON.parse(utf8.decode(bytes));
    return true;
  } catch {
    return false;
  }
}
