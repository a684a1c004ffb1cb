// Removes secrets from any JSON-like value before it is stored or shown (audit trail, API answers).

/** Keys whose values are secrets wherever they appear. */
export const SECRET_KEY_PATTERN =
  /^(authorization|token|password|passphrase|secret|hmacsecret|apikey|api_key|privatekey|private_key|bottoken|authtoken|proxy|nobitex-signature|x-keel-signature|cookie)$/i;

export const REDACTED = '[redacted]';

/** Depth and size limits so a hostile value cannot make redaction itself expensive. */
const DEPTH_MAX = 12;
const ENTRIES_MAX = 2_000;

export function redactDeep(value: unknown, extraSecrets: readonly string[] = []): unknown {
  let entries = 0;
  const visit = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return scrub(node, extraSecrets);
    if (node === null || typeof node !== 'object') return node;
    if (depth >= DEPTH_MAX) return '[truncated]';
    if (Array.isArray(node)) return node.slice(0, ENTRIES_MAX).map((item) => visit(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      if (++entries > ENTRIES_MAX) break;
      out[key] = SECRET_KEY_PATTERN.test(key) ? REDACTED : visit(child, depth + 1);
    }
    return out;
  };
  return visit(value, 0);
}

/** Replaces every occurrence of a known secret value inside free text. */
function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  return result;
}
