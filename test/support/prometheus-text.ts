// A strict reader of the Prometheus text exposition format (0.0.4), for tests: returns samples or throws.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:${LABEL})(?:,${LABEL})*,?\\}|\\{\\})?\\s+(\\S+)(\\s+-?\\d+)?$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export interface PromSample {
  readonly name: string;
  readonly labels: string;
  readonly value: number;
}

export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const typed = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    if (line.startsWith('# HELP ')) {
      if (!new RegExp(`^# HELP ${NAME} .*$`).test(line))
        throw new Error(`line ${index + 1}: bad HELP: ${line}`);
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name === undefined || type === undefined || !TYPES.has(type))
        throw new Error(`line ${index + 1}: bad TYPE: ${line}`);
      if (typed.has(name)) throw new Error(`line ${index + 1}: TYPE repeated for ${name}`);
      typed.set(name, type);
      return;
    }
    if (line.startsWith('#')) return;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`line ${index + 1}: not a sample: ${line}`);
    // Go's ParseFloat, which Prometheus uses, accepts NaN and Inf in any case.
    const raw = (match[3] ?? '').toLowerCase();
    const infinite =
      raw === '+inf' || raw === 'inf'
        ? Number.POSITIVE_INFINITY
        : raw === '-inf'
          ? Number.NEGATIVE_INFINITY
          : undefined;
    const value = infinite ?? Number(raw);
    if (raw !== 'nan' && Number.isNaN(value)) throw new Error(`line ${index + 1}: bad value ${raw}`);
    samples.push({ name: match[1] ?? '', labels: match[2] ?? '', value });
  });
  return samples;
}
