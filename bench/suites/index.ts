// The list of bench suites, in the order they run.
import type { BenchSuite } from '../harness.js';
import { decimalSuite } from './decimal.js';

export const suites: readonly BenchSuite[] = [decimalSuite];
