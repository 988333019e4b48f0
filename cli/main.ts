#!/usr/bin/env node
// The `flotilla` binary.
import { processIo, type Io } from './io.js';
import { runCli } from './program.js';

const io: Io = processIo();
const code = await runCli(process.argv.slice(2), io);
// exit explicitly: keep-alive sockets from fetch must not hold a finished command open
process.exit(code);
