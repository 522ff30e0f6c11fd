#!/usr/bin/env node
// `npm run opctl -- <command> [--flags]`: a thin shell over the API's own command code.
const { ensureBuilt, root } = require('../scripts/ensure-built');

ensureBuilt();
const { opctlMain } = require(`${root}/apps/op-api/dist/cli/opctl.js`);
void opctlMain(process.argv.slice(2));
