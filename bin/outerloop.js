#!/usr/bin/env node
// The `outerloop` command: runs the bundled CLI that `npm run build` writes.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli', 'outerloop.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write("outerloop: the CLI is not built yet; run 'npm run build' in " + path.dirname(__dirname) + '.\n');
  process.exit(1);
}
require(bundle);
