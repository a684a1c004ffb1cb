// Runs the CLI from source: `node --import tsx src/cli/run.ts config check`.
import { main } from './main.js';

process.exitCode = await main(process.argv);
