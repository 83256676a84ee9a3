#!/usr/bin/env node
// The `rapportjs` command: scores a CSV file of events with no code. A thin shell over the
// package's API; every check and every score happens there.
import { main } from './main.mjs';

await main(process.argv.slice(2));
