import { show } from './errors';

/**
 * The rules every engine shares, one named entry per value the model holds. A value is checked
 * by these wherever it enters (a step, a pipeline default, an engine option, a construct prop),
 * so it gets the same message everywhere: what, the value, the rule, how to fix it.
 */
export interface ValueRule {
  /** The value, as the user wrote it: "retry maxRetries", "resources.cpu", ... */
  readonly what: string;
  /** What is allowed, in words. */
  readonly allowed: string;
  /** How to fix a value that breaks it, when there is more to say than the rule. */
  readonly fix?: string;
  /** Where the rule comes from. */
  readonly source: string;
}

export interface NumberRule extends ValueRule {
  readonly test: (value: number) => boolean;
}

const wholeAtLeast = (min: number) => (v: number) => Number.isSafeInteger(v) && v >= min;
const finiteAtLeast = (min: number) => (v: number) => Number.isFinite(v) && v >= min;
const positive = (v: number) => Number.isFinite(v) && v > 0;

const MODEL = 'the model (every engine and the local runner read it the same way)';

export const MODEL_RULES = {
  retryMaxRetries: {
    what: 'retry maxRetries', allowed: 'a whole number >= 0', fix: 'e.g. RetryPolicy.of({ maxRetries: 2 })',
    source: MODEL, test: wholeAtLeast(0),
  },
  retryIntervalSeconds: { what: 'retry intervalSeconds', allowed: 'a number >= 0', source: MODEL, test: finiteAtLeast(0) },
  retryBackoffRate: { what: 'retry backoffRate', allowed: 'a number >= 1; 1 means a constant wait', source: MODEL, test: finiteAtLeast(1) },
  cacheExpireAfterHours: {
    what: 'cache expireAfterHours', allowed: 'a number > 0', fix: 'omit it for no expiry', source: MODEL, test: positive,
  },
  cpu: { what: 'resources.cpu', allowed: 'a number > 0', source: MODEL, test: positive },
  memoryGiB: { what: 'resources.memoryGiB', allowed: 'a number > 0', source: MODEL, test: positive },
  diskGiB: { what: 'resources.diskGiB', allowed: 'a number > 0', source: MODEL, test: positive },
  gpu: { what: 'resources.gpu', allowed: 'a whole number >= 0', source: MODEL, test: wholeAtLeast(0) },
  timeoutSeconds: { what: 'timeoutSeconds', allowed: 'a whole number >= 1', source: MODEL, test: wholeAtLeast(1) },
} satisfies { [name: string]: NumberRule };

/** The problem of `value` under `rule`, or undefined; `what` overrides the rule's name. */
export function numberProblem(rule: NumberRule, value: unknown, what: string = rule.what): string | undefined {
  if (value === undefined || (typeof value === 'number' && rule.test(value))) {
    return undefined;
  }
  return `${what} ${show(value)} is invalid (allowed: ${rule.allowed})${rule.fix ? `; ${rule.fix}` : ''}`;
}

/** `numberProblem` as a list, for spreading into a problem list. */
export function numberProblems(rule: NumberRule, value: unknown, what?: string): string[] {
  return optionalProblem(numberProblem(rule, value, what));
}

/**
 * Text that becomes an environment variable value or a command-line argument: the kernel passes
 * both as NUL-terminated strings, and they travel through JSON and YAML as UTF-8, which cannot
 * carry half of a UTF-16 surrogate pair.
 */
export const PROCESS_TEXT: ValueRule = {
  what: 'text',
  allowed: "no NUL character ('\\0') and no unpaired UTF-16 surrogate",
  source: 'execve(2): environment strings and arguments end at the first NUL; RFC 3629 (UTF-8)',
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A problem when `text` cannot be passed to a process as an env value or argument. */
export function processTextProblem(what: string, text: unknown): string | undefined {
  if (typeof text !== 'string') {
    return `${what} ${show(text)} is not text; give a string`;
  }
  if (text.includes('\0')) {
    return `${what} ${JSON.stringify(text)} contains a NUL character, which a process environment or argument cannot hold (allowed: ${PROCESS_TEXT.allowed}); remove it`;
  }
  if (LONE_SURROGATE.test(text)) {
    return `${what} ${JSON.stringify(text)} contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding (allowed: ${PROCESS_TEXT.allowed}); remove it or fix the string's encoding`;
  }
  return undefined;
}

/**
 * Deploy-time values (CDK tokens such as `${Token[TOKEN.12]}`) stand for text that exists only
 * after synthesis; grammar rules cannot judge them, so they pass.
 */
export function isUnresolvedToken(text: string): boolean {
  return text.includes('${Token[');
}

export const URL_RULE: ValueRule = {
  what: 'URL',
  allowed: 'an absolute URL (scheme://host[:port][/path]) with one of the schemes listed',
  source: 'WHATWG URL standard (the URL class of Node.js)',
};

/**
 * The problem of a URL prop, or undefined: it must parse as an absolute URL with a host and one
 * of `schemes` (e.g. ['http', 'https']). Deploy-time tokens pass.
 */
export function urlProblem(what: string, url: unknown, schemes: readonly string[]): string | undefined {
  if (url === undefined || (typeof url === 'string' && isUnresolvedToken(url))) {
    return undefined;
  }
  const allowed = `${URL_RULE.allowed}: ${schemes.map((s) => `${s}://`).join(', ')}`;
  const example = `e.g. '${schemes[0]}://ml-pipeline.kubeflow.svc:8888'`;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.host === '' || /\s/.test(String(url))) {
    return `${what} ${show(url)} is not a URL (allowed: ${allowed}); give the full address, ${example}`;
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    return `${what} ${show(url)} has scheme '${scheme}' (allowed: ${allowed}); ${example}`;
  }
  return undefined;
}

/** A problem that may be undefined, as a list for spreading into a problem list. */
export function optionalProblem(problem: string | undefined): string[] {
  return problem === undefined ? [] : [problem];
}
