// Runs autocannon in its own process (so the load generator never shares the server's event loop):
// `node autocannon-child.mjs '<options JSON>'` prints the result as one JSON line. With `bodyTemplate`,
// every request gets its own body with `[<id>]` replaced by a counter (autocannon's idReplacement
// keeps the template's content-length, which breaks the request framing).
import autocannon from 'autocannon';

const { bodyTemplate, ...options } = JSON.parse(process.argv[2] ?? '{}');
let counter = 0;
const runId = `${process.pid}-${Date.now()}`;
const requests =
  bodyTemplate === undefined
    ? undefined
    : [
        {
          setupRequest: (request) => ({
            ...request,
            body: bodyTemplate.replace('[<id>]', `${runId}-${counter++}`),
          }),
        },
      ];

autocannon({ ...options, ...(requests === undefined ? {} : { requests }) }, (error, result) => {
  if (error) {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
});
