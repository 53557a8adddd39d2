#!/usr/bin/env node
// Development launcher: registers tsx so Node can load the TypeScript sources, then runs the CLI.
// (A packaged build replaces this with the compiled dist/app/cli/main.js.)
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../app/cli/main.ts');
await main();
