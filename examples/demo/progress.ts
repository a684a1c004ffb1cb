// The terminal narration: a header per phase, a spinner (with a bar when the duration is known) per
// step, and one line per event. Plain ANSI; without a TTY only the finished lines are written.

/** Where the demo writes: process.stdout, or a collector in tests. */
export interface DemoOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface StepOptions {
  /** The step's expected length, ms: draws a progress bar instead of a bare spinner. */
  readonly expectedMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Redraws per second of the spinner line. */
const FRAME_INTERVAL_MS = 100;
const BAR_WIDTH = 24;
const ansi = {
  bold: (text: string) => `\x1b[1m${text}\x1b[0m`,
  dim: (text: string) => `\x1b[2m${text}\x1b[0m`,
  green: (text: string) => `\x1b[32m${text}\x1b[0m`,
  red: (text: string) => `\x1b[31m${text}\x1b[0m`,
  yellow: (text: string) => `\x1b[33m${text}\x1b[0m`,
  cyan: (text: string) => `\x1b[36m${text}\x1b[0m`,
};
const CLEAR_LINE = '\r\x1b[2K';
const ANSI_PATTERN = /\x1b\[[0-9;]*m/g;

export class Progress {
  #spinner: { label: string; startedAtMs: number; expectedMs?: number; frame: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #live: boolean;

  constructor(private readonly output: DemoOutput) {
    this.#live = output.isTTY === true;
  }

  title(text: string): void {
    this.#line(ansi.bold(ansi.cyan(text)));
  }

  phase(index: number, total: number, title: string): void {
    this.section(`Phase ${index}/${total} · ${title}`);
  }

  section(title: string): void {
    this.#line('');
    this.#line(ansi.bold(`━━ ${title} ${'━'.repeat(Math.max(3, 66 - title.length))}`));
  }

  /** What is happening, and what Keel does about it. */
  narrate(text: string): void {
    this.#line(`  ${ansi.dim('›')} ${text}`);
  }

  ok(text: string): void {
    this.#line(`  ${ansi.green('✔')} ${text}`);
  }

  warn(text: string): void {
    this.#line(`  ${ansi.yellow('!')} ${text}`);
  }

  fail(text: string): void {
    this.#line(`  ${ansi.red('✖')} ${text}`);
  }

  plain(text: string): void {
    this.#line(text);
  }

  /** Runs `work` under a spinner; prints ✔ with its duration, or ✖ and rethrows. */
  async step<T>(label: string, work: () => Promise<T>, options: StepOptions = {}): Promise<T> {
    const startedAtMs = Date.now();
    this.#startSpinner(label, startedAtMs, options.expectedMs);
    try {
      const result = await work();
      this.#stopSpinner();
      this.ok(`${label} ${ansi.dim(`(${seconds(Date.now() - startedAtMs)})`)}`);
      return result;
    } catch (error) {
      this.#stopSpinner();
      this.fail(`${label} ${ansi.dim(`(${seconds(Date.now() - startedAtMs)})`)}`);
      throw error;
    }
  }

  /** Stops any spinner; idempotent. */
  close(): void {
    this.#stopSpinner();
  }

  #line(text: string): void {
    if (this.#live && this.#spinner !== undefined) this.output.write(CLEAR_LINE);
    // Colours only on a terminal: piped output and logs stay plain text.
    this.output.write(`${this.#live ? text : text.replace(ANSI_PATTERN, '')}\n`);
    if (this.#live) this.#draw();
  }

  #startSpinner(label: string, startedAtMs: number, expectedMs: number | undefined): void {
    this.#stopSpinner();
    this.#spinner = { label, startedAtMs, frame: 0, ...(expectedMs === undefined ? {} : { expectedMs }) };
    if (!this.#live) return;
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), FRAME_INTERVAL_MS);
    this.#timer.unref();
  }

  #stopSpinner(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#live && this.#spinner !== undefined) this.output.write(CLEAR_LINE);
    this.#spinner = undefined;
  }

  #draw(): void {
    const spinner = this.#spinner;
    if (spinner === undefined) return;
    spinner.frame = (spinner.frame + 1) % FRAMES.length;
    const elapsedMs = Date.now() - spinner.startedAtMs;
    const frame = ansi.cyan(FRAMES[spinner.frame] ?? '·');
    const bar = spinner.expectedMs === undefined ? '' : ` ${progressBar(elapsedMs / spinner.expectedMs)}`;
    this.output.write(`${CLEAR_LINE}  ${frame} ${spinner.label}${bar} ${ansi.dim(seconds(elapsedMs))}`);
  }
}

function progressBar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]`;
}

export function seconds(durationMs: number): string {
  return `${(durationMs / 1_000).toFixed(1)} s`;
}

export { ansi };
