/**
 * Naming rules shared by every engine. They are the SageMaker Pipelines rules (the strictest
 * engine for pipeline and step names) plus an identifier rule for names that become environment
 * variables, JSON keys and engine parameter names.
 */
/** @internal */
export interface NameRule {
  /** What the name is, for messages: "step name", "parameter name", ... */
  readonly what: string;
  readonly pattern: RegExp;
  /** The rule in words, for messages. */
  readonly allowed: string;
}

export const PIPELINE_NAME: NameRule = {
  what: 'pipeline name',
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/,
  allowed: "letters, digits and '-', starting and ending with a letter or digit, max 256 chars",
};

export const STEP_NAME: NameRule = {
  what: 'step name',
  pattern: /^[A-Za-z0-9\-_]{1,64}$/,
  allowed: "letters, digits, '-' and '_', 1 to 64 chars",
};

/** Parameters, inputs, outputs and metrics: they become MLOPS_* variables and engine keys. */
export const IDENTIFIER: NameRule = {
  what: 'name',
  pattern: /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
  allowed: "a letter, then letters, digits or '_', max 64 chars",
};

/** Returns a problem message when `name` breaks `rule`, else undefined. */
export function checkName(rule: NameRule, name: string, what = rule.what): string | undefined {
  if (typeof name === 'string' && rule.pattern.test(name)) {
    return undefined;
  }
  return `${what} ${JSON.stringify(name)} is invalid (allowed: ${rule.allowed}); rename it, e.g. ${JSON.stringify(suggestName(rule, String(name)))}`;
}

/** A legal name close to `name`, for the "e.g." in error messages. */
export function suggestName(rule: NameRule, name: string): string {
  let s = name.trim();
  if (rule === IDENTIFIER) {
    s = s.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z]+/, '');
    return (s || 'name').slice(0, 64);
  }
  if (rule === PIPELINE_NAME) {
    s = s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    return (s || 'pipeline').slice(0, 256).replace(/-+$/, '');
  }
  s = s.replace(/[^A-Za-z0-9\-_]+/g, '-').replace(/^-+|-+$/g, '');
  return (s || 'step').slice(0, 64);
}
