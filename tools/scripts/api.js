#!/usr/bin/env node
// `npm run api`: the API alone, configured by the environment (docs/CONTRACT.md §4), run by node
// with the API's flags (ensure-built.js): in this process when it has them, else in a child
// that gets this process's signals and whose exit code becomes ours.
const { spawn } = require('node:child_process');
const { API_NODE_FLAGS, apiArgs, ensureBuilt } = require('./ensure-built');

ensureBuilt();
if (API_NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  require(apiArgs().at(-1));
} else {
  const child = spawn(process.execPath, [...process.execArgv, ...apiArgs()], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
