#!/usr/bin/env node
// `quicether-helper`: the privileged helper on its own, as the systemd unit starts it
// (resources/linux/quicether-helper.service). The same as `quicether start`:
//   quicether-helper [--config PATH] [--interfaces a,b] [--multipath MODE]
import { loadCli } from './load-cli.js';

const { main } = await loadCli();
await main(['start', ...process.argv.slice(2)]);
