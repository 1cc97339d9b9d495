#!/usr/bin/env node
// Keeps the engine free of AWS: packages/core/src may not import the AWS SDK, nor hold AWS error names,
// AWS region patterns, the client pool, or Lambda and middy code. Comments are not code: they may name
// what the engine is used for (a Lambda freeze). What AWS needs lives in packages/aws.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'packages', 'core', 'src');

const FORBIDDEN = [
  [/@aws-sdk\//, 'an import of the AWS SDK'],
  [/\b(?!Errno)[A-Z][A-Za-z]+Exception\b|\bAccessDenied\b|\bThrottling\b/, 'an AWS error name'],
  [/\b(?:us|eu|ap|ca|sa|me|af|il|mx|cn)-[a-z]+-\d\b|\(\?:-\[a-z\]\+\)\+-\\d/, 'an AWS region or region pattern'],
  [/\bawsClientPool\b|\bfromAwsError\b|\barn:aws\b/, 'AWS client or error code'],
  [/\blambda\b|\bmiddy\b/i, 'Lambda or middy code'],
];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The code of a file without its comments (strings stay: a message is code too). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const problems = [];
for (const file of files(src)) {
  const lines = code(readFileSync(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    for (const [pattern, what] of FORBIDDEN) {
      if (pattern.test(line)) problems.push(`${relative(root, file)}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`);
    }
  });
}
if (problems.length > 0) {
  console.error(`core boundary (AWS belongs in packages/aws):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('core boundary: no AWS SDK, AWS error name, region pattern, Lambda or middy code in packages/core/src');
