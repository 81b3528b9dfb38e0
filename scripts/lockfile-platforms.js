#!/usr/bin/env node
// The npm registry this project installs from does not serve every platform
// build of native packages (@rspack/binding-darwin-*, @swc/core-win32-*, ...).
// `npm install` then leaves those optional entries out of package-lock.json,
// and `npm ci` refuses the lock ("Missing: @rspack/binding-darwin-arm64@ from
// lock file"). This adds the missing entries with their os/cpu/libc so npm ci
// accepts the lock and skips them as platform-incompatible.
//   node scripts/lockfile-platforms.js          # fix package-lock.json in place
//   node scripts/lockfile-platforms.js --check  # exit 1 if entries are missing (npm run lint)
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const PLATFORM = /(darwin|win32|linux|android|freebsd|openharmony|wasm32)/;

function platformFields(name) {
  let tail = name.split('/').pop();
  for (const prefix of ['resolver-binding-', 'binding-', 'core-']) {
    if (tail.startsWith(prefix)) {
      tail = tail.slice(prefix.length);
      break;
    }
  }
  const parts = tail.split('-');
  if (parts[0] === 'wasm32') return { cpu: ['wasm32'] };
  const fields = { os: [parts[0]], cpu: [parts[1]] };
  if (parts.some((p) => p.startsWith('musl'))) fields.libc = ['musl'];
  else if (parts.some((p) => p.startsWith('gnu'))) fields.libc = ['glibc'];
  return fields;
}

function missingEntries(lock) {
  const packages = lock.packages;
  const missing = [];
  for (const meta of Object.values(packages)) {
    for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
      const key = `node_modules/${dep}`;
      if (packages[key] || !PLATFORM.test(dep)) continue;
      missing.push({ key, entry: { version, ...platformFields(dep), ...(meta.dev ? { dev: true } : {}), optional: true } });
    }
  }
  return missing;
}

const path = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(path, 'utf8'));
const missing = missingEntries(lock);
if (process.argv.includes('--check')) {
  if (missing.length > 0) {
    console.error(`package-lock.json lacks ${missing.length} platform entries (npm ci would refuse it): run node scripts/lockfile-platforms.js`);
    process.exit(1);
  }
  console.log('package-lock.json: platform entries complete');
  process.exit(0);
}
for (const { key, entry } of missing) lock.packages[key] = entry;
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${missing.length} platform entries to package-lock.json`);
