/**
 * The AppConfig resources the data plane serves: applications, their environments and configuration profiles,
 * hosted configuration versions and what each environment has deployed. No deployment strategies: a deployment
 * is complete at once. Feature flag documents are turned into the values form that GetLatestConfiguration sends.
 */
import { randomInt } from 'node:crypto';
import { flagValues, parseFlagDocument, withFlag } from './flags.ts';
import { AppConfigEmulatorError } from './wire.ts';

/** The two profile types the emulator knows. */
export type ProfileType = 'AWS.Freeform' | 'AWS.AppConfig.FeatureFlags';

/** One hosted configuration version, as stored and as served. */
export interface ConfigurationVersion {
  readonly number: number;
  readonly label: string | undefined;
  readonly contentType: string;
  /** What was deployed (for flag profiles, the `{"version":"1","flags","values"}` document). */
  readonly stored: Uint8Array;
  /** What GetLatestConfiguration answers (for flag profiles, the values form). */
  readonly served: Uint8Array;
}

interface Named {
  readonly id: string;
  readonly name: string;
}
interface Profile extends Named {
  readonly type: ProfileType;
  readonly versions: ConfigurationVersion[];
}
interface Environment extends Named {
  /** Profile id -> the version number deployed here. */
  readonly deployed: Map<string, number>;
}
interface Application extends Named {
  readonly environments: Environment[];
  readonly profiles: Profile[];
}

/** A failed look-up, in ResourceNotFoundException's terms. */
export interface NotFound {
  readonly resourceType: 'Application' | 'Environment' | 'ConfigurationProfile' | 'Deployment';
  readonly message: string;
  readonly referencedBy: Readonly<Record<string, string>>;
}

/** The resources a session tracks, by id. */
export interface Target {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

/** Options of `deploy`. */
export interface DeployOptions {
  /** @default 'application/json' for flag profiles, 'text/plain' for text, 'application/octet-stream' for bytes */
  readonly contentType?: string | undefined;
  /** A label for the version; AWS refuses labels made of digits only. */
  readonly versionLabel?: string | undefined;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const encoder = new TextEncoder();

/** Finds by id first, then by name: AWS accepts either as an identifier. */
function find<T extends Named>(items: readonly T[], identifier: string): T | undefined {
  return items.find((item) => item.id === identifier) ?? items.find((item) => item.name === identifier);
}

/** The emulator's state. Names are unique per parent here (AWS allows duplicate application names). */
export class AppConfigStore {
  readonly #applications: Application[] = [];
  readonly #ids = new Set<string>();

  /** A fresh id: 7 lowercase alphanumerics, as AWS generates them. */
  #newId(): string {
    for (;;) {
      const id = Array.from({ length: 7 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
      if (!this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
  }

  #application(identifier: string): Application {
    const app = find(this.#applications, identifier);
    if (!app) throw new AppConfigEmulatorError(404, `no application ${JSON.stringify(identifier)}`);
    return app;
  }

  #profile(app: Application, identifier: string): Profile {
    const profile = find(app.profiles, identifier);
    if (!profile)
      throw new AppConfigEmulatorError(404, `no configuration profile ${JSON.stringify(identifier)} in ${app.name}`);
    return profile;
  }

  #environment(app: Application, identifier: string): Environment {
    const env = find(app.environments, identifier);
    if (!env) throw new AppConfigEmulatorError(404, `no environment ${JSON.stringify(identifier)} in ${app.name}`);
    return env;
  }

  /** Returns the new application's id. */
  createApplication(name: string): string {
    if (find(this.#applications, name))
      throw new AppConfigEmulatorError(409, `application ${JSON.stringify(name)} exists`);
    const id = this.#newId();
    this.#applications.push({ id, name, environments: [], profiles: [] });
    return id;
  }

  /** Returns the new environment's id. */
  createEnvironment(application: string, name: string): string {
    const app = this.#application(application);
    if (find(app.environments, name))
      throw new AppConfigEmulatorError(409, `environment ${JSON.stringify(name)} exists`);
    const id = this.#newId();
    app.environments.push({ id, name, deployed: new Map() });
    return id;
  }

  /** Returns the new profile's id. */
  createProfile(application: string, name: string, type: ProfileType = 'AWS.Freeform'): string {
    const app = this.#application(application);
    if (type !== 'AWS.Freeform' && type !== 'AWS.AppConfig.FeatureFlags')
      throw new AppConfigEmulatorError(400, `unknown profile type ${JSON.stringify(type)}`);
    if (find(app.profiles, name))
      throw new AppConfigEmulatorError(409, `configuration profile ${JSON.stringify(name)} exists`);
    const id = this.#newId();
    app.profiles.push({ id, name, type, versions: [] });
    return id;
  }

  /** Creates a hosted configuration version and deploys it to the environment at once; returns its number. */
  deploy(
    application: string,
    environment: string,
    profile: string,
    content: string | Uint8Array,
    options: DeployOptions = {},
  ): number {
    const app = this.#application(application);
    const env = this.#environment(app, environment);
    const prof = this.#profile(app, profile);
    const label = options.versionLabel;
    if (label !== undefined && !/^(?=.*\D).{1,64}$/s.test(label))
      throw new AppConfigEmulatorError(400, 'a version label has 1 to 64 characters, not all digits');
    const stored = typeof content === 'string' ? encoder.encode(content) : new Uint8Array(content);
    const flags = prof.type === 'AWS.AppConfig.FeatureFlags';
    const served = flags ? encoder.encode(JSON.stringify(flagValues(parseFlagDocument(stored)))) : stored;
    const contentType =
      options.contentType ??
      (flags ? 'application/json' : typeof content === 'string' ? 'text/plain' : 'application/octet-stream');
    const number = prof.versions.length + 1;
    prof.versions.push({ number, label, contentType, stored, served });
    env.deployed.set(prof.id, number);
    return number;
  }

  /**
   * Deploys a new version of a flag profile in which `flag` is set: the document deployed to the environment now,
   * or an empty one. `attributes` replace the flag's attribute values; omitted, they are kept.
   */
  setFlag(
    application: string,
    environment: string,
    profile: string,
    flag: string,
    enabled: boolean,
    attributes?: Readonly<Record<string, unknown>>,
  ): number {
    const app = this.#application(application);
    const env = this.#environment(app, environment);
    const prof = this.#profile(app, profile);
    if (prof.type !== 'AWS.AppConfig.FeatureFlags')
      throw new AppConfigEmulatorError(400, `${prof.name} is not a feature flag profile`);
    const current = prof.versions[(env.deployed.get(prof.id) ?? 0) - 1];
    const document = withFlag(
      current ? parseFlagDocument(current.stored) : { version: '1' },
      flag,
      enabled,
      attributes,
    );
    return this.deploy(application, environment, profile, JSON.stringify(document));
  }

  /** The ids a session for these identifiers tracks, or what AWS would not find. */
  resolve(application: string, environment: string, profile: string): Target | NotFound {
    const app = find(this.#applications, application);
    if (!app)
      return {
        resourceType: 'Application',
        message: `Application ${application} not found`,
        referencedBy: {},
      };
    const env = find(app.environments, environment);
    if (!env)
      return {
        resourceType: 'Environment',
        message: `Environment ${environment} not found for application ${app.id}`,
        referencedBy: { Application: app.id },
      };
    const prof = find(app.profiles, profile);
    if (!prof)
      return {
        resourceType: 'ConfigurationProfile',
        message: `Configuration profile ${profile} not found for application ${app.id}`,
        referencedBy: { Application: app.id },
      };
    return { application: app.id, environment: env.id, profile: prof.id };
  }

  /** What the environment has deployed for the profile, or a Deployment that is not found. */
  deployed(target: Target): ConfigurationVersion | NotFound {
    const app = this.#application(target.application);
    const prof = this.#profile(app, target.profile);
    const version = prof.versions[(this.#environment(app, target.environment).deployed.get(prof.id) ?? 0) - 1];
    return (
      version ?? {
        resourceType: 'Deployment',
        message: `No configuration of profile ${prof.id} is deployed to environment ${target.environment}`,
        referencedBy: { Application: app.id, Environment: target.environment, ConfigurationProfile: prof.id },
      }
    );
  }
}
