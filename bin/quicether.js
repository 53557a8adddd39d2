#!/usr/bin/env node
// `quicether`: the CLI (app/cli). Sources through tsx in a checkout, dist/ in a packaged build.
import { loadCli } from './load-cli.js';

const { main } = await loadCli();
await main();
