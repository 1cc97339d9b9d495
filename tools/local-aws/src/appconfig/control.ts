/**
 * The emulator's control routes under `/_emulator/` (JSON in, JSON out, no signing): what the JS methods of
 * `LocalAppConfig` do, for another process (the demo, a test worker). The routes are listed in start.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlane, DataPlaneCall } from './data-plane.ts';
import type { ProfileType } from './store.ts';
import { AppConfigEmulatorError, type Json, parseObject, readBody, sendJson } from './wire.ts';

type Route = (plane: DataPlane, calls: readonly DataPlaneCall[], input: Json, params: string[]) => [number, unknown];

const text = (input: Json, name: string): string => {
  const value = input[name];
  if (typeof value !== 'string') throw new AppConfigEmulatorError(400, `"${name}" must be a string`);
  return value;
};
const optionalText = (input: Json, name: string): string | undefined =>
  input[name] === undefined ? undefined : text(input, name);
const count = (input: Json, name: string): number => {
  const value = input[name] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new AppConfigEmulatorError(400, `"${name}" must be a count`);
  return value;
};

const SEGMENT = '([^/]+)';
const APP = `/_emulator/applications/${SEGMENT}`;
const PROFILE = `${APP}/environments/${SEGMENT}/profiles/${SEGMENT}`;

const ROUTES: readonly [string, RegExp, Route][] = [
  ['POST', /^\/_emulator\/applications$/, (p, _c, i) => [201, { id: p.store.createApplication(text(i, 'name')) }]],
  [
    'POST',
    new RegExp(`^${APP}/environments$`),
    (p, _c, i, [app = '']) => [201, { id: p.store.createEnvironment(app, text(i, 'name')) }],
  ],
  [
    'POST',
    new RegExp(`^${APP}/profiles$`),
    (p, _c, i, [app = '']) => [
      201,
      { id: p.store.createProfile(app, text(i, 'name'), (optionalText(i, 'type') ?? 'AWS.Freeform') as ProfileType) },
    ],
  ],
  [
    'POST',
    new RegExp(`^${PROFILE}/deployments$`),
    (p, _c, i, [app = '', env = '', profile = '']) => {
      const base64 = optionalText(i, 'contentBase64');
      const content = base64 === undefined ? text(i, 'content') : new Uint8Array(Buffer.from(base64, 'base64'));
      const options = { contentType: optionalText(i, 'contentType'), versionLabel: optionalText(i, 'versionLabel') };
      return [201, { versionNumber: p.store.deploy(app, env, profile, content, options) }];
    },
  ],
  [
    'PUT',
    new RegExp(`^${PROFILE}/flags/${SEGMENT}$`),
    (p, _c, i, [app = '', env = '', profile = '', flag = '']) => {
      if (typeof i.enabled !== 'boolean') throw new AppConfigEmulatorError(400, '"enabled" must be a boolean');
      const attributes = i.attributes;
      if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null))
        throw new AppConfigEmulatorError(400, '"attributes" must be an object');
      const versionNumber = p.store.setFlag(app, env, profile, flag, i.enabled, attributes as Json | undefined);
      return [200, { versionNumber }];
    },
  ],
  [
    'POST',
    /^\/_emulator\/faults$/,
    (p, _c, i) => {
      p.faults.throttle += count(i, 'throttle');
      p.faults.fail += count(i, 'fail');
      return [200, { ...p.faults }];
    },
  ],
  ['GET', /^\/_emulator\/calls$/, (p, c) => [200, { calls: c, sessions: p.sessions }]],
];

/** Answers a request under `/_emulator/`. */
export async function control(
  plane: DataPlane,
  calls: readonly DataPlaneCall[],
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  for (const [method, pattern, route] of ROUTES) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    if (req.method !== method) return sendJson(res, 405, { message: `use ${method}` });
    const input = body.length === 0 ? {} : parseObject(body);
    if (!input) return sendJson(res, 400, { message: 'the body must be a JSON object' });
    try {
      const [status, output] = route(plane, calls, input, match.slice(1).map(decodeURIComponent));
      return sendJson(res, status, output);
    } catch (error) {
      if (error instanceof AppConfigEmulatorError) return sendJson(res, error.status, { message: error.message });
      throw error;
    }
  }
  sendJson(res, 404, { message: `no control route ${req.method} ${url.pathname}` });
}
