#!/usr/bin/env node
// `npm run api`: the API alone, configured by the environment (docs/CONTRACT.md §4).
const { ensureBuilt, root } = require('./ensure-built');

ensureBuilt();
require(`${root}/apps/op-api/dist/main.js`);
