import { Token } from 'aws-cdk-lib';
import { show } from '../../../lib/pipeline/errors';
import { MWAA_LIMITS } from './limits';
import { AirflowEnvironmentClass, AirflowEnvironmentProps, AirflowLogLevel, AirflowVersion, WebServerAccess } from './props';

const NAME_ALLOWED = "a letter, then letters, digits, '-' and '_', max 80 characters";

/** The environment class the props give, or SMALL. */
export function classOf(props: AirflowEnvironmentProps): AirflowEnvironmentClass {
  return props.environmentClass ?? AirflowEnvironmentClass.SMALL;
}

/** The worker and scheduler counts the environment renders, defaults filled in. */
export function scalingOf(props: AirflowEnvironmentProps): { minWorkers: number; maxWorkers: number; schedulers: number } {
  const micro = AirflowEnvironmentClass.isAirflowEnvironmentClass(props.environmentClass) && props.environmentClass.name === 'mw1.micro';
  return {
    minWorkers: props.minWorkers ?? 1,
    maxWorkers: props.maxWorkers ?? (micro ? MWAA_LIMITS.micro.workers : 10),
    schedulers: props.schedulers ?? (micro ? MWAA_LIMITS.micro.schedulers : MWAA_LIMITS.schedulers.min),
  };
}

function isWhole(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n);
}

/** Every problem of the props, each naming the value, what is allowed and the fix. */
export function airflowProblems(props: AirflowEnvironmentProps): string[] {
  const problems: string[] = [];
  if (!AirflowVersion.isAirflowVersion(props.airflowVersion)) {
    problems.push(`airflowVersion is ${show(props.airflowVersion)}; use AirflowVersion.V2_10_3 or another static member of AirflowVersion`);
  } else if (!MWAA_LIMITS.airflowVersions.includes(props.airflowVersion.version)) {
    problems.push(`airflowVersion ${show(props.airflowVersion.version)} is not one MWAA offers (${MWAA_LIMITS.airflowVersions.join(', ')}); ` +
      'use one of them, e.g. AirflowVersion.V2_10_3');
  }
  const cls = props.environmentClass;
  let micro = false;
  if (cls !== undefined && !AirflowEnvironmentClass.isAirflowEnvironmentClass(cls)) {
    problems.push(`environmentClass is ${show(cls)}; use AirflowEnvironmentClass.SMALL or another static member of AirflowEnvironmentClass`);
  } else if (cls !== undefined && !MWAA_LIMITS.environmentClasses.includes(cls.name)) {
    problems.push(`environmentClass ${show(cls.name)} is not an MWAA environment class (${MWAA_LIMITS.environmentClasses.join(', ')}); ` +
      'use one of them, e.g. AirflowEnvironmentClass.SMALL');
  } else {
    micro = cls?.name === 'mw1.micro';
  }
  const name = props.environmentName;
  if (name !== undefined && !Token.isUnresolved(name) && !MWAA_LIMITS.namePattern.test(name)) {
    const fixed = name.replace(/[^0-9a-zA-Z_-]+/g, '-').replace(/^[^a-zA-Z]+/, '').slice(0, MWAA_LIMITS.nameMaxLength);
    problems.push(`environmentName ${show(name)} is invalid for MWAA (allowed: ${NAME_ALLOWED}); e.g. ${show(fixed || 'airflow')}`);
  }
  problems.push(...scalingProblems(props, micro));
  if (props.webServerAccess !== undefined && !Object.values(WebServerAccess).includes(props.webServerAccess)) {
    problems.push(`webServerAccess is ${show(props.webServerAccess)}; use WebServerAccess.PRIVATE or WebServerAccess.PUBLIC`);
  }
  for (const [component, level] of Object.entries(props.logging ?? {})) {
    if (level !== undefined && !Object.values(AirflowLogLevel).includes(level)) {
      problems.push(`logging.${component} is ${show(level)}; use one of ${Object.keys(AirflowLogLevel).map((l) => `AirflowLogLevel.${l}`).join(', ')}`);
    }
  }
  problems.push(...configurationProblems(props.airflowConfigurationOptions ?? {}));
  for (const line of props.requirements ?? []) {
    if (typeof line !== 'string' || /[\r\n]/.test(line)) {
      problems.push(`requirements holds ${show(typeof line === 'string' ? line.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : line)}; give one requirement per entry, without line breaks, e.g. 'apache-airflow-providers-amazon'`);
    }
  }
  const plugins = props.plugins;
  if (plugins !== undefined && !Token.isUnresolved(plugins) && !plugins.toLowerCase().endsWith('.zip')) {
    problems.push(`plugins ${show(plugins)} is not a .zip file; MWAA loads plugins from a zip archive, e.g. 'airflow/plugins.zip'`);
  }
  return problems;
}

function scalingProblems(props: AirflowEnvironmentProps, micro: boolean): string[] {
  const problems: string[] = [];
  const { minWorkers, maxWorkers, schedulers } = scalingOf(props);
  if (micro) {
    for (const [prop, value] of [['minWorkers', minWorkers], ['maxWorkers', maxWorkers], ['schedulers', schedulers]] as const) {
      if (value !== 1) {
        problems.push(`${prop} is ${show(value)}, but mw1.micro runs exactly 1 (one combined scheduler and worker, no scaling); ` +
          `leave ${prop} out, or use AirflowEnvironmentClass.SMALL or larger`);
      }
    }
    return problems;
  }
  if (!isWhole(minWorkers) || minWorkers < MWAA_LIMITS.minWorkers) {
    problems.push(`minWorkers is ${show(minWorkers)}, but MWAA takes a whole number ≥ ${MWAA_LIMITS.minWorkers}; e.g. 1`);
  }
  if (!isWhole(maxWorkers) || maxWorkers < MWAA_LIMITS.minWorkers) {
    problems.push(`maxWorkers is ${show(maxWorkers)}, but MWAA takes a whole number ≥ ${MWAA_LIMITS.minWorkers}; e.g. 10`);
  }
  if (isWhole(minWorkers) && isWhole(maxWorkers) && minWorkers > maxWorkers) {
    problems.push(`minWorkers ${minWorkers} is more than maxWorkers ${maxWorkers}; MWAA scales between them, so raise maxWorkers or lower minWorkers`);
  }
  const s = MWAA_LIMITS.schedulers;
  if (!isWhole(schedulers) || schedulers < s.min || schedulers > s.max) {
    problems.push(`schedulers is ${show(schedulers)}, but MWAA takes ${s.min}–${s.max} for ${classOf(props).name} (1 only for mw1.micro); e.g. 2`);
  }
  return problems;
}

function configurationProblems(options: { [key: string]: string }): string[] {
  const problems: string[] = [];
  const L = MWAA_LIMITS;
  for (const [key, value] of Object.entries(options)) {
    if (key.length > L.configKeyMaxLength || !L.configKeyPattern.test(key)) {
      problems.push(`airflowConfigurationOptions key ${show(key)} is invalid for MWAA (allowed: 'section.option' in lower case letters, digits, '.' and '_', ` +
        `max ${L.configKeyMaxLength} characters); e.g. 'core.default_timezone'`);
    }
    if (typeof value !== 'string') {
      problems.push(`airflowConfigurationOptions ${show(key)} is ${show(value)}; MWAA takes string values, e.g. '${String(value)}'`);
    } else if (!Token.isUnresolved(value) && (value.length > L.configValueMaxLength || !L.configValuePattern.test(value))) {
      problems.push(`airflowConfigurationOptions ${show(key)} has a value MWAA rejects (allowed: 1–${L.configValueMaxLength} printable ASCII characters, no line breaks)`);
    }
  }
  return problems;
}
