// One scripted phase of the demo: it narrates, provokes, and checks; a failed check throws DemoCheckError.
import type { DemoContext } from '../demo-context.js';

export interface DemoPhase {
  readonly title: string;
  run(context: DemoContext): Promise<void>;
}
