#!/usr/bin/env node
/**
 * `node tools/brand-scope-check/cli.js [paths...]`: runs the brand-scope
 * check (see check.js) over apps/ and libs/ by default; prints
 * `file:line [rule] message` per finding and exits 1 when there is any.
 */
'use strict';

const path = require('node:path');
const { checkFiles, collectFiles, ROOT } = require('./check');

function main(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: node tools/brand-scope-check/cli.js [file or directory ...] (default: apps libs)\n',
    );
    return 0;
  }
  const roots = (argv.length > 0 ? argv : ['apps', 'libs']).map((p) => path.resolve(ROOT, p));
  const files = collectFiles(roots);
  const findings = checkFiles(files);
  for (const f of findings) {
    process.stdout.write(`${path.relative(ROOT, f.file)}:${f.line} [${f.rule}] ${f.message}\n`);
  }
  process.stdout.write(
    findings.length === 0
      ? `brand-scope-check: ${files.length} files, no unscoped brand queries\n`
      : `brand-scope-check: ${findings.length} finding(s) in ${files.length} files\n`,
  );
  return findings.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
