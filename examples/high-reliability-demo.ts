// `npm run demo`: Keel's reliability demo on the terminal, with the dashboard live while it runs.
// KEEL_DEMO_QUICK=1 shortens the waits; KEEL_DEMO_SECRETS='{"passphrase":"…","dashboardToken":"…"}'
// runs with known secrets so a scan can look for them in the logs, the API and the database after.

import { parseDemoSecrets } from './demo/demo-secrets.js';
import { runDemo } from './demo/run-demo.js';

async function main(): Promise<number> {
  const secrets = parseDemoSecrets(process.env.KEEL_DEMO_SECRETS);
  const quick = process.env.KEEL_DEMO_QUICK === '1' || process.argv.includes('--quick');
  const result = await runDemo({
    output: process.stdout,
    quick,
    ...(secrets === undefined ? {} : { secrets }),
  });
  process.stdout.write(`Logs and database kept in ${result.dataDir ?? '(none)'}\n`);
  return result.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
