// The list of bench suites, in the order they run.
import type { BenchSuite } from '../harness.js';
import { breakerWindowSuite } from './breaker-window.js';
import { decimalSuite } from './decimal.js';
import { endToEndSuite } from './end-to-end.js';
import { exchangeCallSuite } from './exchange-call.js';
import { haltedDrainSuite } from './halted-drain.js';
import { intakeSuite } from './intake.js';
import { ledgerSuite } from './ledger.js';
import { policiesSuite } from './policies.js';
import { pushedFillsSuite } from './pushed-fills.js';
import { recoverySuite } from './recovery.js';
import { yearOfDataSuite } from './year-of-data.js';

export const suites: readonly BenchSuite[] = [
  decimalSuite,
  policiesSuite,
  breakerWindowSuite,
  intakeSuite,
  haltedDrainSuite,
  exchangeCallSuite,
  ledgerSuite,
  endToEndSuite,
  recoverySuite,
  yearOfDataSuite,
  pushedFillsSuite,
];
