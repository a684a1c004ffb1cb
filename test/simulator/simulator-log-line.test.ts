// Goal (issue 17): a simulator log line carries `component` once, whether the simulator is embedded in
// Keel (paper mode) or standalone (`keel sim`). Method: log into memory and read the raw JSON lines,
// since JSON.parse keeps only the last of two equal keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExchangeStack } from '../../src/app/exchange-stack.js';
import { configSchema, deepFreeze } from '../../src/config/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { startSimulatorServer } from '../../src/exchange/simulator/index.js';
import { createLogger } from '../../src/logging/create-logger.js';

function memoryLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (line: string) => void lines.push(line) } });
  const listening = () => {
    const line = lines.find((text) => text.includes('"simulator listening"'));
    if (line === undefined) throw new Error(`no simulator line among ${lines.length}`);
    return line;
  };
  return { logger, listening };
}

const componentKeys = (line: string) => line.match(/"component":/g)?.length ?? 0;

describe('simulator log lines', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('embedded in paper mode: one component key, "simulator"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-sim-log-'));
    dirs.push(dir);
    const memory = memoryLogger();
    const config = deepFreeze(configSchema.parse({ dataDir: dir }));
    const stack = await createExchangeStack({
      config,
      clock: new FakeClock(),
      rng: createRng(1),
      logger: memory.logger,
    });
    await stack.close();
    const line = memory.listening();
    expect(componentKeys(line)).toBe(1);
    expect(JSON.parse(line)).toMatchObject({ component: 'simulator', msg: 'simulator listening' });
  });

  it('standalone (keel sim): one component key, "simulator"', async () => {
    const memory = memoryLogger();
    const server = await startSimulatorServer({ port: 0, seed: 1, logger: memory.logger });
    await server.close();
    const line = memory.listening();
    expect(componentKeys(line)).toBe(1);
    expect(JSON.parse(line)).toMatchObject({ component: 'simulator' });
  });
});
