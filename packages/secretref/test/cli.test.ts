/**
 * The `secretref` command line driven in-process through `run()`, without AWS: `env:` and `file:`
 * references, and references that fail before any network call. The built bin as a real process
 * against moto is in cli.integration.test.ts.
 */
import { readFileSync } from 'node:fs';
import { defaultResolver, setDefaultResolver } from 'secretref';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './fake-io.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const secretref = runCli;

afterEach(() => {
  vi.unstubAllEnvs();
  setDefaultResolver(undefined);
});

describe('secretref get', () => {
  it('prints nothing (exit 0) for an optional reference to a missing value, so that X=$(...) is empty', async () => {
    vi.stubEnv('SECRETREF_CLI_UNSET', undefined);
    expect(await secretref(['get', 'env:SECRETREF_CLI_UNSET?optional=true'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await secretref(['get', 'env:SECRETREF_CLI_UNSET?optional=true', '--json'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const help = await secretref(['get', '--help']);
    expect(help.stdout).toMatch(/optional=true.*prints nothing/s);
  });

  it('a missing value without optional=true is still exit 1 with the reason on stderr', async () => {
    vi.stubEnv('SECRETREF_CLI_UNSET', undefined);
    const missing = await secretref(['get', 'env:SECRETREF_CLI_UNSET']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      'secretref get: [env] environment variable SECRETREF_CLI_UNSET is not set (reference "env:SECRETREF_CLI_UNSET")\n',
    );
  });
});

describe('secretref --version', () => {
  it('prints the package version, with --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      expect(await secretref([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
    expect((await secretref(['--help'])).stdout).toContain('--version');
  });
});

describe('error messages', () => {
  it('exec names the CLI once and each failing variable with its code, scheme and reason', async () => {
    const run = await secretref(['exec', '--', process.execPath, '-e', 'console.log("ran")'], {
      BAD: 'ssm:/x?flavour=1',
      PLAIN: 'hello',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('[secretref]');
    expect(run.stderr.match(/\[ssm\]/g)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^secretref exec: 1 of 1 variable could not be resolved; the command was not run:\n {2}BAD: INVALID_REFERENCE \[ssm\] \S/,
    );
  });

  it('check and usage errors print the scheme once, without the [secretref] prefix', async () => {
    const check = await secretref(['check'], { BAD: 'ssm:/x?flavour=1' });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^BAD\s+INVALID_REFERENCE\s+\[ssm\] \S/m);
    expect(check.stdout).not.toContain('[secretref]');
    const usage = await secretref(['get', 'ssm:/x?flavour=1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^secretref get: \[ssm\] \S/);
    expect(usage.stderr).not.toContain('[secretref]');
    const unknown = await secretref(['get', 'vault:x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^secretref get: unknown scheme "vault"/);
  });
});

describe('one process, several commands', () => {
  it('each command owns its resolver: a second command works, and the default resolver is left alone', async () => {
    vi.stubEnv('SECRETREF_CLI_VALUE', 'value-1');
    const before = defaultResolver();
    expect(await secretref(['get', 'env:SECRETREF_CLI_VALUE'])).toEqual({ code: 0, stdout: 'value-1\n', stderr: '' });
    vi.stubEnv('SECRETREF_CLI_VALUE', 'value-2');
    // A fresh resolver, so a fresh value: nothing cached from the first command.
    expect(await secretref(['get', 'env:SECRETREF_CLI_VALUE'])).toEqual({ code: 0, stdout: 'value-2\n', stderr: '' });
    expect((await secretref(['check'], { BAD: 'ssm:/x?flavour=1' })).stdout).toContain('0 of 1 resolved.');
    expect((await secretref(['exec', '--', process.execPath, '-e', '1'], {})).code).toBe(0);
    expect(await secretref(['get', 'env:SECRETREF_CLI_VALUE'])).toEqual({ code: 0, stdout: 'value-2\n', stderr: '' });
    expect(defaultResolver()).toBe(before);
    await expect(before.resolve('env:SECRETREF_CLI_VALUE')).resolves.toBe('value-2');
  });
});

describe('command names', () => {
  it('a name Object.prototype has (constructor, toString, __proto__, hasOwnProperty) is an unknown command, exit 2', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      const run = await secretref([name]);
      expect({ name, code: run.code, stdout: run.stdout }).toEqual({ name, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^secretref: unknown command( "\w+")?\n\nUsage: secretref <command>/);
    }
  });

  it('an unknown command is quoted only when it looks like a command word, never a pasted value', async () => {
    expect((await secretref(['fetch'])).stderr).toMatch(/^secretref: unknown command "fetch"\n/);
    for (const pasted of ['S3CR3T-pasted-7f1', 'hunter2', 'p@ss word']) {
      const run = await secretref([pasted]);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toContain(pasted);
    }
  });
});

describe('secretref encrypt', () => {
  it('a malformed --context is named by its position, never quoted (it could be a pasted secret)', async () => {
    for (const bad of ['S3CR3T-pasted-value-7f1', '=S3CR3T-pasted-value-7f1', 'S3CR3T-pasted-value-7f1=']) {
      const run = await secretref(['encrypt', '--key', 'alias/app', '--context', 'App=orders', '--context', bad]);
      expect({ bad, code: run.code, stdout: run.stdout }).toEqual({ bad, code: 2, stdout: '' });
      expect(run.stderr).not.toContain('S3CR3T');
      expect(run.stderr).toMatch(/^secretref encrypt: --context number 2 \(of 2\) is malformed: \S/);
    }
  });
});

describe('argument errors never echo an argument', () => {
  const PASTED = 'MyS3CR3T-q7Zk9x';
  const usage = (name: string) => `\nRun "secretref ${name} --help" for its options.\n`;

  it('an unexpected argument is named by its position', async () => {
    expect(await secretref(['encrypt', '--key', 'alias/app', PASTED])).toEqual({
      code: 2,
      stdout: '',
      stderr: `secretref encrypt: encrypt takes no arguments: argument 3 is neither an option nor its value (the plaintext goes on stdin or in --file)${usage('encrypt')}`,
    });
    expect(await secretref(['check', PASTED])).toEqual({
      code: 2,
      stdout: '',
      stderr: `secretref check: check takes no arguments (it was given 1)${usage('check')}`,
    });
    expect(await secretref(['get', 'env:X', PASTED])).toEqual({
      code: 2,
      stdout: '',
      stderr: `secretref get: get takes exactly one reference (it was given 2)${usage('get')}`,
    });
  });

  it('an unknown option is quoted only when it looks like an option name', async () => {
    for (const command of ['get', 'exec', 'check', 'encrypt']) {
      expect((await secretref([command, '--nope'])).stderr).toBe(
        `secretref ${command}: unknown option "--nope"${usage(command)}`,
      );
      // The name quoted, never its value.
      expect((await secretref([command, `--password=${PASTED}`])).stderr).toBe(
        `secretref ${command}: unknown option "--password"${usage(command)}`,
      );
      for (const pasted of [`--${PASTED}`, `-${PASTED}`, `--${PASTED}=x`, '-hunter2', '-hunter', '--p@ss']) {
        const run = await secretref([command, pasted]);
        expect({ command, pasted, code: run.code, stdout: run.stdout }).toEqual({
          command,
          pasted,
          code: 2,
          stdout: '',
        });
        expect(run.stderr).toBe(`secretref ${command}: argument 1 is an unknown option${usage(command)}`);
      }
    }
  });

  it('an option without its value, or with a value it does not take, is named; the value is not', async () => {
    expect((await secretref(['encrypt', '--key'])).stderr).toBe(
      `secretref encrypt: --key needs a value: --key <value>${usage('encrypt')}`,
    );
    // A value that starts with "-" is refused by parseArgs as ambiguous: named, not echoed.
    expect((await secretref(['encrypt', '--region', 'us-east-1', '--key', `-${PASTED}`])).stderr).toBe(
      `secretref encrypt: --key needs a value: --key <value> (one that starts with "-" as --key=<value>)${usage('encrypt')}`,
    );
    for (const [command, option] of [
      ['get', 'json'],
      ['exec', 'mask'],
      ['encrypt', 'raw'],
      ['check', 'help'],
    ] as const) {
      expect((await secretref([command, `--${option}=${PASTED}`])).stderr).toBe(
        `secretref ${command}: --${option} takes no value${usage(command)}`,
      );
    }
  });

  it('exec without -- takes the first word that is no option as the command, and the rest as its own', async () => {
    expect((await secretref(['exec', '--mask', process.execPath, '-e', 'process.exit(0)'])).code).toBe(0);
    // --mask after the command word is the command's argument, not secretref's option.
    const script = 'process.exit(process.argv.includes("--mask") ? 5 : 0)';
    expect((await secretref(['exec', process.execPath, '-e', script, '--', '--mask'])).code).toBe(5);
  });
});
