/**
 * The `secretref` bin as a real process (the built dist/cli.mjs, as npm links it) against moto:
 * `secretref encrypt` output decrypts with the AWS CLI and through `kms:` and `decryptEnv`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsKmsDecrypt, localAwsConfig, localAwsEnv, startProcess } from '@secretref/local-aws';
import { createResolver, decryptEnvWith, kmsProvider } from 'secretref';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const bin = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'secretref-cli-'));
const PLAINTEXT = 'p\u00e4ss-\u2603-\u{1F511}';
const prefix = `/cli-${Math.random().toString(36).slice(2, 10)}`;
const DB_PASSWORD = 'db-password-\u00e9-3e7d1a';
const API_KEY = 'api-key-0c4f9b27';
// exec --mask: a value with a quote and a backslash, JSON values, a base64 value, two that overlap.
const QUOTED = 'S3CR3T"quote\\back-5d2e';
const INNER = { password: 'inner-pw-\u00e9-8c1f', pin: 918273, user: 'app' };
const TREE_TOKEN = 'tree-token-41ab';
const BINARY_TEXT = 'binary-plain-\u2603-77e0';
const HEAD = 'first-secret-OVERLAP';
const TAIL = 'OVERLAP-second-9f3';
let keyArn: string;

const baseEnv = (): Record<string, string | undefined> => ({
  ...process.env,
  ...localAwsEnv(endpoint),
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

function secretref(args: string[], input?: string | Buffer, env: Record<string, string | undefined> = {}) {
  const run = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...baseEnv(), ...env },
  });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `secretref <args>` and resolves once its stdout contains `ready`. */
function startSecretref(args: string[], env: Record<string, string | undefined>) {
  const { child, exited, output } = startProcess(process.execPath, [bin, ...args], { env: { ...baseEnv(), ...env } });
  const ready = new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (output().stdout.includes('ready')) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
    void exited.then(() => {
      clearInterval(poll);
      reject(new Error(`exited before ready: ${output().stderr}`));
    });
  });
  return { child, ready, exited, output };
}

const resolver = () => createResolver({ providers: [kmsProvider({ clientConfig: localAwsConfig(endpoint) })] });

beforeAll(async () => {
  // The test runs the built bin, as npm links it: it must be newer than every source file.
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run "pnpm build" first (pnpm test does)`);
  const sources = fileURLToPath(new URL('../src/', import.meta.url));
  const newest = Math.max(
    ...readdirSync(sources, { recursive: true, encoding: 'utf8' }).map((file) => statSync(join(sources, file)).mtimeMs),
  );
  if (statSync(bin).mtimeMs < newest) throw new Error(`${bin} is older than src/: run "pnpm build" first`);
  const ssm = new SSMClient(localAwsConfig(endpoint));
  for (const [Name, Value] of [
    [`${prefix}/db/password`, DB_PASSWORD],
    [`${prefix}/api-key`, API_KEY],
    [`${prefix}/config`, '{"port":5432,"host":"db.internal"}'],
    [`${prefix}/mask/quoted`, QUOTED],
    [`${prefix}/mask/inner`, JSON.stringify(INNER)],
    [`${prefix}/mask/tree/db/token`, TREE_TOKEN],
    [`${prefix}/mask/binary`, Buffer.from(BINARY_TEXT).toString('base64')],
    [`${prefix}/mask/head`, HEAD],
    [`${prefix}/mask/tail`, TAIL],
  ]) {
    await ssm.send(new PutParameterCommand({ Name, Value, Type: 'SecureString' }));
  }
  const key = await new KMSClient(localAwsConfig(endpoint)).send(new CreateKeyCommand({}));
  keyArn = key.KeyMetadata?.Arn ?? '';
});

describe('secretref encrypt', () => {
  it('encrypts stdin and prints a kms: reference that aws kms decrypt and kms: both read', () => {
    const run = secretref(['encrypt', '--key', keyArn, '--context', 'App=orders', '--context', 'Env=prod'], PLAINTEXT);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /^kms:([A-Za-z0-9+/=]+)\?context\.App=orders&context\.Env=prod&region=us-east-1\n$/.exec(run.stdout);
    expect(match).not.toBeNull();
    expect(awsKmsDecrypt(endpoint, match?.[1] ?? '', { App: 'orders', Env: 'prod' })).toBe(PLAINTEXT);
    return expect(resolver().resolve(run.stdout.trim())).resolves.toBe(PLAINTEXT);
  });

  it('--raw prints the bare ciphertext, which decryptEnv reads with the Lambda console context', async () => {
    const run = secretref(
      ['encrypt', '--key', keyArn, '--context', 'LambdaFunctionName=orders-api', '--raw'],
      PLAINTEXT,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[A-Za-z0-9+/=]+\n$/);
    const env: Record<string, string | undefined> = {
      AWS_LAMBDA_FUNCTION_NAME: 'orders-api',
      SECRET: run.stdout.trim(),
    };
    expect(await decryptEnvWith(resolver(), ['SECRET'], { env })).toEqual({ SECRET: PLAINTEXT });
  });

  it('--file over 4096 bytes makes an Encryption SDK message that kms: reads', async () => {
    const big = `${'\u00e9'.repeat(3000)}-end`; // 6004 bytes of UTF-8
    const file = join(work, 'big.txt');
    writeFileSync(file, big);
    const run = secretref(['encrypt', '--key', keyArn, '--file', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Encryption SDK message');
    expect(await resolver().resolve(run.stdout.trim())).toBe(big);
  });

  it('exit codes: 0 for --help, 2 for usage errors, 1 for a failure, with messages on stderr', () => {
    const help = secretref(['encrypt', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--key');
    for (const args of [
      ['encrypt'],
      ['encrypt', '--key', keyArn, '--context', 'no-equals'],
      ['encrypt', '--nope'],
      ['nope'],
      [],
    ]) {
      const run = secretref(args, 'x');
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toBe('');
    }
    // A plaintext passed as an argument by mistake is named by its position, never echoed.
    const pasted = secretref(['encrypt', '--key', 'alias/app', 'MyS3CR3T-q7Zk9x'], 'x');
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).toMatch(/^secretref encrypt: encrypt takes no arguments: argument 3 /);
    expect(pasted.stderr).not.toContain('S3CR3T');
    const empty = secretref(['encrypt', '--key', keyArn], '');
    expect(empty.code).toBe(2);
    const gone = secretref(['encrypt', '--key', 'alias/does-not-exist'], 'never-printed-plaintext');
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toContain('alias/does-not-exist');
    expect(gone.stderr).not.toContain('never-printed-plaintext');
    const unreadable = secretref(['encrypt', '--key', keyArn, '--file', join(work, 'missing.txt')]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('ENOENT');
  });
});

describe('secretref get', () => {
  it('prints the value and a newline, nothing else; JSON with --json or for a JSON value', () => {
    expect(secretref(['get', `ssm:${prefix}/db/password`])).toEqual({
      code: 0,
      signal: null,
      stdout: `${DB_PASSWORD}\n`,
      stderr: '',
    });
    expect(secretref(['get', `ssm:${prefix}/db/password`, '--json']).stdout).toBe(`${JSON.stringify(DB_PASSWORD)}\n`);
    expect(secretref(['get', `ssm:${prefix}/config#port`]).stdout).toBe('5432\n');
  });

  it('exit 1 for a missing value, 2 for an invalid reference or usage, messages on stderr only', () => {
    const missing = secretref(['get', `ssm:${prefix}/nope`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('does not exist');
    for (const args of [['get'], ['get', 'a', 'b'], ['get', 'ssm:'], ['get', 'vault:x'], ['get', '--nope', 'x']]) {
      const run = secretref(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
    }
    expect(secretref(['get', '--help']).code).toBe(0);
  });

  it('prints nothing and exits 0 for an optional reference to a missing value', () => {
    expect(secretref(['get', `ssm:${prefix}/nope?optional=true`])).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: '',
    });
  });
});

describe('secretref --version', () => {
  it("prints the package's version, read into the built bin", () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      expect(secretref([flag])).toEqual({ code: 0, signal: null, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('secretref exec', () => {
  const printEnv = 'console.log(process.env.DB_PASSWORD + "|" + process.env.DB_URL + "|" + process.env.PLAIN)';

  it('runs the command with the references resolved, templates filled in, plain values untouched', () => {
    const run = secretref(['exec', '--', process.execPath, '-e', printEnv], undefined, {
      DB_PASSWORD: `ssm:${prefix}/db/password`,
      DB_URL: `postgres://app:{{ ssm:${prefix}/db/password }}@{{ ssm:${prefix}/config#host }}:5432/app`,
      PLAIN: 'postgres://localhost/app',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `${DB_PASSWORD}|postgres://app:${DB_PASSWORD}@db.internal:5432/app|postgres://localhost/app\n`,
    );
    expect(run.code).toBe(0);
  });

  it("exits with the command's exit code; runs nothing when a reference fails; 127 when the command is missing", () => {
    expect(secretref(['exec', '--', process.execPath, '-e', 'process.exit(7)']).code).toBe(7);
    const failing = secretref(['exec', '--', process.execPath, '-e', 'console.log("ran")'], undefined, {
      GOOD: `ssm:${prefix}/api-key`,
      MISSING: `ssm:${prefix}/nope`,
    });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe('');
    expect(failing.stderr).toMatch(
      /^secretref exec: 1 of 2 variables could not be resolved; the command was not run:\n {2}MISSING: NOT_FOUND \[ssm\] parameter /,
    );
    expect(failing.stderr).not.toContain('[secretref]');
    expect(failing.stderr).not.toContain(API_KEY);
    expect(secretref(['exec', '--', 'no-such-command-4c1e']).code).toBe(127);
    expect(secretref(['exec']).code).toBe(2);
  });

  it('--mask replaces resolved values in stdout and stderr, even when written in pieces', () => {
    const script = [
      'const p = process.env.DB_PASSWORD;',
      'process.stdout.write("pw=" + p.slice(0, 5));',
      'setTimeout(() => { process.stdout.write(p.slice(5) + " key=" + process.env.API_KEY + "\\n");',
      'process.stderr.write("err " + p + "\\n"); }, 50);',
    ].join(' ');
    const env = { DB_PASSWORD: `ssm:${prefix}/db/password`, API_KEY: `ssm:${prefix}/api-key` };
    const run = secretref(['exec', '--mask', '--', process.execPath, '-e', script], undefined, env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('pw=***** key=*****\n');
    expect(run.stderr).toBe('err *****\n');
    const unmasked = secretref(['exec', '--', process.execPath, '-e', script], undefined, env);
    expect(unmasked.stdout).toContain(DB_PASSWORD);
  });

  it('--mask also masks a value JSON-escaped, the strings and numbers inside a JSON value, decoded base64, and overlapping values', () => {
    const script = [
      'const inner = JSON.parse(process.env.INNER), tree = JSON.parse(process.env.TREE);',
      'console.log(JSON.stringify({ password: process.env.QUOTED }));',
      'console.log("inner=" + inner.password + " pin=" + inner.pin + " user=" + inner.user);',
      'console.log("tree=" + Object.keys(tree) + ":" + Object.values(tree));',
      'process.stderr.write("bin=" + Buffer.from(process.env.BINARY, "base64").toString("utf8") + "\\n");',
      'console.log(process.env.HEAD + process.env.TAIL.slice("OVERLAP".length));',
    ].join(' ');
    const env = {
      QUOTED: `ssm:${prefix}/mask/quoted`,
      INNER: `ssm:${prefix}/mask/inner?as=json`,
      TREE: `ssm:${prefix}/mask/tree/`,
      BINARY: `ssm:${prefix}/mask/binary?as=binary`,
      HEAD: `ssm:${prefix}/mask/head`,
      TAIL: `ssm:${prefix}/mask/tail`,
    };
    const run = secretref(['exec', '--mask', '--', process.execPath, '-e', script], undefined, env);
    expect(run.stderr).toBe('bin=*****\n');
    expect(run.stdout).toBe('{"password":"*****"}\ninner=***** pin=***** user=app\ntree=db/token:*****\n*****\n');
    expect(run.code).toBe(0);
    // Unmasked, the command prints every one of them.
    const unmasked = secretref(['exec', '--', process.execPath, '-e', script], undefined, env);
    expect(unmasked.stdout + unmasked.stderr).toBe(
      `${JSON.stringify({ password: QUOTED })}\ninner=${INNER.password} pin=${INNER.pin} user=app\ntree=db/token:${TREE_TOKEN}\n${HEAD}-second-9f3\nbin=${BINARY_TEXT}\n`,
    );
  });

  it("--mask masks Python's json.dumps and repr, a grouped number, base64url, hex and URL-encoded values", () => {
    const env = {
      DB_PASSWORD: `ssm:${prefix}/db/password`,
      QUOTED: `ssm:${prefix}/mask/quoted`,
      INNER: `ssm:${prefix}/mask/inner?as=json`,
    };
    // A real Python (moto's, which the integration tests need): non-ASCII escaped, backslashes doubled.
    const python = [
      'import json, os',
      'inner = json.loads(os.environ["INNER"])',
      'print(json.dumps({"password": os.environ["DB_PASSWORD"], "inner": inner["password"]}))',
      'print({"password": os.environ["QUOTED"]})',
      'print(f"{inner[\'pin\']:,}")',
    ].join('\n');
    const pythonRun = secretref(
      ['exec', '--mask', '--', process.env.MOTO_PYTHON ?? 'python3', '-c', python],
      undefined,
      env,
    );
    expect(pythonRun.stderr).toBe('');
    expect(pythonRun.stdout).toBe(`{"password": "*****", "inner": "*****"}\n{'password': '*****'}\n*****\n`);
    expect(pythonRun.code).toBe(0);
    const unmasked = secretref(['exec', '--', process.env.MOTO_PYTHON ?? 'python3', '-c', python], undefined, env);
    expect(unmasked.stdout).toBe(
      `{"password": "db-password-\\u00e9-3e7d1a", "inner": "inner-pw-\\u00e9-8c1f"}\n{'password': 'S3CR3T"quote\\\\back-5d2e'}\n918,273\n`,
    );
    const node = [
      'const p = process.env.DB_PASSWORD, inner = JSON.parse(process.env.INNER);',
      'console.log("b64url=" + Buffer.from(p).toString("base64url") + " hex=" + Buffer.from(inner.password).toString("hex").toUpperCase());',
      'process.stderr.write("url=" + encodeURIComponent(p) + " pin=" + inner.pin.toLocaleString("en-US") + "\\n");',
    ].join(' ');
    const nodeRun = secretref(['exec', '--mask', '--', process.execPath, '-e', node], undefined, env);
    expect(nodeRun).toEqual({
      code: 0,
      signal: null,
      stdout: 'b64url=***** hex=*****\n',
      stderr: 'url=***** pin=*****\n',
    });
  });

  it('forwards SIGTERM to the command and exits with its exit code', async () => {
    const script =
      'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(42); }); setInterval(() => {}, 1000); console.log("ready");';
    const run = startSecretref(['exec', '--', process.execPath, '-e', script], {
      DB_PASSWORD: `ssm:${prefix}/db/password`,
    });
    await run.ready;
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 42, signal: null });
    expect(run.output().stdout).toBe('ready\ngot SIGTERM\n');
  });

  it('dies of the signal that killed the command', async () => {
    const run = startSecretref(
      ['exec', '--', process.execPath, '-e', 'setInterval(() => {}, 1000); console.log("ready");'],
      {},
    );
    await run.ready;
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('secretref check', () => {
  it('prints a table of every variable with a reference, ok or the reason, never a value; exit 1 on a failure', () => {
    const run = secretref(['check'], undefined, {
      DB_PASSWORD: `ssm:${prefix}/db/password`,
      API_KEY: `{{resolve:ssm-secure:${prefix}/api-key}}`,
      MAYBE: `ssm:${prefix}/nope?optional=true`,
      MISSING: `ssm:${prefix}/nope`,
      BAD: 'ssm:/x?flavour=1',
      PLAIN: 'hello',
    });
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^VARIABLE\s+STATUS$/);
    expect(lines.find((l) => l.startsWith('DB_PASSWORD'))).toMatch(/^DB_PASSWORD\s+ok$/);
    expect(lines.find((l) => l.startsWith('API_KEY'))).toMatch(/^API_KEY\s+ok$/);
    expect(lines.find((l) => l.startsWith('MAYBE'))).toMatch(/^MAYBE\s+ok \(optional, not set\)$/);
    expect(lines.find((l) => l.startsWith('MISSING'))).toMatch(/^MISSING\s+NOT_FOUND\s+\S/);
    expect(lines.find((l) => l.startsWith('BAD'))).toMatch(/^BAD\s+INVALID_REFERENCE\s+\S/);
    expect(run.stdout).not.toContain('PLAIN');
    expect(run.stdout).toContain('3 of 5 resolved.');
    expect(run.stdout + run.stderr).not.toContain(DB_PASSWORD);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
  });

  it('exit 0 when everything resolves', () => {
    const run = secretref(['check'], undefined, { DB_PASSWORD: `ssm:${prefix}/db/password` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 of 1 resolved.');
  });
});

describe('installed with npm from the packed tarballs, nothing added', () => {
  it('encrypts a value over 4096 bytes and resolves the Encryption SDK message it prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-install-'));
    const packages = fileURLToPath(new URL('../../', import.meta.url));
    for (const name of ['core', 'aws', 'ssm', 'secrets-manager', 'kms', 'appconfig', 'secretref']) {
      const pack = spawnSync('pnpm', ['pack', '--pack-destination', dir], {
        cwd: join(packages, name),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ name, status: pack.status, stderr: pack.stderr }).toEqual({ name, status: 0, stderr: '' });
    }
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    const tarballs = readdirSync(dir).filter((file) => file.endsWith('.tgz'));
    const install = spawnSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((file) => join(dir, file))],
      { cwd: app, encoding: 'utf8', timeout: 120_000 },
    );
    expect({ status: install.status, stderr: install.stderr }).toEqual({ status: 0, stderr: '' });
    const installed = join(app, 'node_modules/secretref/dist/cli.mjs');
    const big = `${'x'.repeat(4999)}!`;
    writeFileSync(join(dir, 'big.txt'), big);
    const installedSecretref = (args: string[]) =>
      spawnSync(process.execPath, [installed, ...args], {
        cwd: app,
        encoding: 'utf8',
        timeout: 60_000,
        env: baseEnv(),
      });
    const encrypted = installedSecretref(['encrypt', '--key', keyArn, '--file', join(dir, 'big.txt')]);
    expect({ status: encrypted.status, stderr: encrypted.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining('Encryption SDK message'),
    });
    const resolved = installedSecretref(['get', encrypted.stdout.trim()]);
    expect({ status: resolved.status, stderr: resolved.stderr }).toEqual({ status: 0, stderr: '' });
    expect(resolved.stdout).toBe(`${big}\n`);
  }, 180_000);
});

describe('files', () => {
  it('no command writes a file: not in the working directory, not in HOME', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secretref-nofiles-'));
    const env = { HOME: dir, DB_PASSWORD: `ssm:${prefix}/db/password` };
    const options = { cwd: dir, encoding: 'utf8' as const, timeout: 60_000, env: { ...baseEnv(), ...env } };
    spawnSync(process.execPath, [bin, 'get', `ssm:${prefix}/db/password`], options);
    spawnSync(process.execPath, [bin, 'check'], options);
    spawnSync(process.execPath, [bin, 'exec', '--mask', '--', process.execPath, '-e', '1'], options);
    expect(readdirSync(dir, { recursive: true })).toEqual([]);
  });
});
