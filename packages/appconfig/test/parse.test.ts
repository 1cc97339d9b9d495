import { appconfigProvider, parseAppConfigBody } from '@secretref/appconfig';
import { createResolver, formatReference, InvalidOptionError, InvalidReferenceError } from '@secretref/core';
import { describe, expect, it } from 'vitest';

const resolver = createResolver({ providers: [appconfigProvider()] });
const locate = (body: string) =>
  parseAppConfigBody({ scheme: 'appconfig', body, form: 'uri', params: {}, ref: `appconfig:${body}` });

describe('AppConfig reference bodies', () => {
  it.each([
    ['shop/prod/flags', { application: 'shop', environment: 'prod', profile: 'flags', key: 'shop/prod/flags' }],
    ['abc1234/def5678/ghi9012', { application: 'abc1234', environment: 'def5678', profile: 'ghi9012' }],
    ['my%2Fapp/prod/flags', { application: 'my/app', key: 'my%2Fapp/prod/flags' }],
    ['My%20App/Prod%20EU/feature%20flags', { application: 'My App', environment: 'Prod EU', profile: 'feature flags' }],
    ['s%68op/prod/flags', { application: 'shop', key: 'shop/prod/flags' }],
    ['caf%C3%A9/prod/flags', { application: 'café', key: 'caf%C3%A9/prod/flags' }],
  ])('%s', (body, expected) => {
    expect(locate(body)).toMatchObject(expected);
  });

  it.each([
    ['shop/prod', '<application>/<environment>/<profile>'],
    ['shop/prod/flags/extra', '<application>/<environment>/<profile>'],
    ['shop//flags', 'the environment is empty'],
    ['/prod/flags', 'the application is empty'],
    ['shop/prod/', 'the configuration profile is empty'],
    ['shop/prod/%zz', 'not validly percent-encoded'],
    ['shop/prod/%0A', 'control or invisible character'],
    // A right-to-left override would show one name as another in messages and logs.
    ['shop/prod/pr%E2%80%AEof', 'control or invisible character'],
    ['shop/prod/a%E2%80%8Bb', 'control or invisible character'],
    [`${'a'.repeat(129)}/prod/flags`, 'longer than 128'],
    // A URL path (the agent's route) would read them as steps up.
    ['../prod/flags', 'cannot be ".."'],
    ['shop/prod/.', 'cannot be "."'],
    ['%2E%2E/%2e%2e/flags', 'cannot be ".."'],
  ])('refuses %s', (body, message) => {
    expect(() => locate(body)).toThrow(InvalidReferenceError);
    expect(() => locate(body)).toThrow(message);
  });

  it('every spelling of one profile has one canonical form, which parses back to it', () => {
    const a = resolver.parse('appconfig:s%68op/prod/flags#new-checkout');
    const b = resolver.parse('APPCONFIG:shop/prod/flags');
    expect(formatReference({ ...a, fragment: undefined } as never)).toBe(formatReference(b));
    expect(resolver.parse(formatReference(a)).body).toBe('shop/prod/flags');
    expect(a.fragment).toBe('new-checkout');
    const spaced = resolver.parse('appconfig:My%20App/prod/flags');
    expect(resolver.parse(formatReference(spaced))).toEqual(spaced);
  });

  it('takes the common parameters, and refuses a region that is none before any call', () => {
    expect(resolver.parse('appconfig:shop/prod/flags?region=eu-west-1&ttl=30s').region).toBe('eu-west-1');
    expect(() => resolver.parse('appconfig:shop/prod/flags?region=nowhere')).toThrow(InvalidReferenceError);
    expect(() => resolver.parse('appconfig:shop/prod/flags?flag=a')).toThrow(InvalidReferenceError);
  });
});

describe('options', () => {
  it.each([0, -1, 1.5, Number.NaN])('maxSessions %s is refused at once', (maxSessions) => {
    expect(() => appconfigProvider({ maxSessions })).toThrow(InvalidOptionError);
  });
});
