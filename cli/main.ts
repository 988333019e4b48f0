#!/usr/bin/env node
// The `flotilla` binary.
//
// React picks its development build unless NODE_ENV is "production"; the development build renders
// the console several times slower. Set it before anything imports React, hence the dynamic import.
process.env.NODE_ENV ??= 'production';

const { processIo } = await import('./io.js');
const { runCli } = await import('./program.js');

const code = await runCli(process.argv.slice(2), processIo());
// exit explicitly: keep-alive sockets from fetch must not hold a finished command open
process.exit(code);
