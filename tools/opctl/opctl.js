#!/usr/bin/env node
// `npm run opctl -- <command> [--flags]`: a thin shell over the API's own command code.
const { ensureBuilt, root } = require('../scripts/ensure-built');

// npm runs scripts in the package's folder: a relative `--file` names a file in the folder the
// operator typed the command in (npm's INIT_CWD), as it would without npm.
// (INIT_CWD only when npm runs this very script: a process started under another npm script
// inherits that script's INIT_CWD.)
process.env.OPCTL_CWD = (process.env.npm_lifecycle_event === 'opctl' && process.env.INIT_CWD) || process.cwd();
ensureBuilt();
const { opctlMain } = require(`${root}/apps/op-api/dist/cli/opctl.js`);
void opctlMain(process.argv.slice(2));
