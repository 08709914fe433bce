#!/usr/bin/env node
// The restmq command; the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
import '../dist/src/cli/run.js';
