import { Token } from 'aws-cdk-lib';
import { show } from '../../../lib/pipeline/errors';
import { HOSTING_INSTANCE_TYPES } from './hosting-instance-types';
import { ModelSource } from './model-source';
import { CanaryEndpointProps, VariantProps } from './props';
import { Rollout, TrafficShift } from './rollout';

export const MAX_VARIANTS = 10;
export const MAX_ROLLBACK_ALARMS = 10;
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME_ALLOWED = "letters, digits and '-', max 63 characters, starting and ending with a letter or digit";

/** The variants an endpoint renders: the given ones, or one 'primary' variant. */
export function variantsOf(props: CanaryEndpointProps): VariantProps[] {
  return props.variants && props.variants.length > 0 ? props.variants : [{ name: 'primary' }];
}

/** How many alarms the construct makes for `rollbackOn`, per variant. */
export function alarmsPerVariant(props: CanaryEndpointProps): number {
  // The error-rate alarm is always made (errorRatePercent defaults to 1).
  return (props.rollbackOn?.p99LatencyMs !== undefined ? 1 : 0) + 1;
}

/** Every problem of the props, each naming the value, what is allowed and the fix. */
export function endpointProblems(props: CanaryEndpointProps): string[] {
  const problems: string[] = [];
  if (!ModelSource.isModelSource(props.model) && !(props.variants?.length && props.variants.every((v) => ModelSource.isModelSource(v.model)))) {
    problems.push(`model is ${show(props.model)}; use ModelSource.fromArtifact(image, 's3://...') or ModelSource.fromRegistry('group')`);
  }
  if (props.endpointName !== undefined && !Token.isUnresolved(props.endpointName) && !NAME.test(props.endpointName)) {
    problems.push(`endpointName ${show(props.endpointName)} is invalid (allowed: ${NAME_ALLOWED}); e.g. ${show(props.endpointName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'endpoint')}`);
  }
  const variants = variantsOf(props);
  if (variants.length > MAX_VARIANTS) {
    problems.push(`${variants.length} variants given, but a SageMaker endpoint takes at most ${MAX_VARIANTS}; split them across endpoints`);
  }
  const names = new Set<string>();
  for (const v of variants) {
    const where = `variant ${show(v.name)}`;
    if (!NAME.test(v.name)) {
      problems.push(`${where}: name is invalid (allowed: ${NAME_ALLOWED}); e.g. 'challenger'`);
    }
    if (names.has(v.name)) {
      problems.push(`${where} is given twice; variant names must be unique`);
    }
    names.add(v.name);
    problems.push(...variantProblems(where, v));
    if (v.model) {
      problems.push(...v.model._problems(where));
    }
  }
  if (ModelSource.isModelSource(props.model)) {
    problems.push(...props.model._problems('model'));
  }
  const weights = variants.map((v) => v.weight ?? 1);
  if (weights.every((w) => w === 0)) {
    problems.push(`every variant weight is 0 (${weights.join(', ')}), so no variant would take traffic; give at least one a weight > 0, e.g. 90 and 10`);
  }
  if (props.rollout !== undefined && !Rollout.isRollout(props.rollout)) {
    return [...problems, `rollout is ${show(props.rollout)}; use Rollout.canary({...}), Rollout.linear({...}) or Rollout.allAtOnce()`];
  }
  const rollout = props.rollout ?? Rollout._default();
  problems.push(...rollout._problems());
  const serverless = variants.filter((v) => v.serverless).map((v) => v.name);
  if (serverless.length > 0 && rollout.shift !== TrafficShift.ALL_AT_ONCE) {
    problems.push(`variant(s) ${serverless.map((n) => `'${n}'`).join(', ')} are serverless, but SageMaker's deployment guardrails (${rollout.shift} traffic shifting) do not support serverless variants; ` +
      'use rollout: Rollout.allAtOnce() or host the variant on instances (instanceType)');
  }
  if (serverless.length > 0 && props.dataCapture) {
    problems.push(`variant(s) ${serverless.map((n) => `'${n}'`).join(', ')} are serverless, but SageMaker does not capture data of serverless endpoints; remove dataCapture or host them on instances`);
  }
  const t = props.rollbackOn ?? {};
  for (const [name, value, max] of [['p99LatencyMs', t.p99LatencyMs, Infinity], ['errorRatePercent', t.errorRatePercent, 100]] as const) {
    if (value !== undefined && !(value > 0 && value <= max)) {
      problems.push(`rollbackOn.${name} is ${show(value)}, but a rollback threshold must be > 0${max === 100 ? ' and ≤ 100' : ''}; e.g. ${name === 'p99LatencyMs' ? 500 : 1}, or leave it out`);
    }
  }
  const alarmCount = alarmsPerVariant(props) * variants.length + (t.alarms?.length ?? 0);
  if (alarmCount > MAX_ROLLBACK_ALARMS) {
    problems.push(`the rollback would watch ${alarmCount} alarms (${alarmsPerVariant(props)} per variant × ${variants.length} + ${t.alarms?.length ?? 0} given), but SageMaker takes at most ${MAX_ROLLBACK_ALARMS}; ` +
      'use fewer variants or thresholds');
  }
  const capture = props.dataCapture;
  if (capture?.samplingPercent !== undefined && !(Number.isInteger(capture.samplingPercent) && capture.samplingPercent >= 0 && capture.samplingPercent <= 100)) {
    problems.push(`dataCapture.samplingPercent is ${show(capture.samplingPercent)}, but SageMaker allows whole numbers 0–100; e.g. 20`);
  }
  return problems;
}

function variantProblems(where: string, v: VariantProps): string[] {
  const problems: string[] = [];
  if (v.weight !== undefined && !(v.weight >= 0 && Number.isFinite(v.weight))) {
    problems.push(`${where}: weight is ${show(v.weight)}, but a variant weight must be a number ≥ 0; e.g. 90 for a 90/10 split`);
  }
  if (v.serverless) {
    if (v.instanceType !== undefined || v.instanceCount !== undefined || v.autoScaling !== undefined) {
      problems.push(`${where} is serverless but also sets instanceType, instanceCount or autoScaling; a variant is either serverless or on instances, so remove one`);
    }
    const memory = v.serverless.memorySizeMb;
    if (memory !== undefined && !(memory >= 1024 && memory <= 6144 && memory % 1024 === 0)) {
      problems.push(`${where}: serverless memorySizeMb is ${show(memory)}, but SageMaker allows 1024–6144 in steps of 1024; e.g. 2048`);
    }
    const concurrency = v.serverless.maxConcurrency;
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 200)) {
      problems.push(`${where}: serverless maxConcurrency is ${show(concurrency)}, but SageMaker allows 1–200; e.g. 5`);
    }
    return problems;
  }
  const type = v.instanceType;
  if (type !== undefined && !Token.isUnresolved(type) && !HOSTING_INSTANCE_TYPES.includes(type)) {
    const close = HOSTING_INSTANCE_TYPES.filter((t) => t.startsWith(type.split('.').slice(0, 2).join('.') + '.')).slice(0, 3);
    problems.push(`${where}: instanceType ${show(type)} is not a SageMaker hosting instance type (ProductionVariantInstanceType); ` +
      `use one such as ${(close.length > 0 ? close : ['ml.m5.large', 'ml.c5.xlarge', 'ml.g5.xlarge']).map((t) => `'${t}'`).join(', ')}`);
  }
  if (v.instanceCount !== undefined && !(Number.isInteger(v.instanceCount) && v.instanceCount >= 1)) {
    problems.push(`${where}: instanceCount is ${show(v.instanceCount)}, but it must be a whole number ≥ 1; e.g. 2`);
  }
  const a = v.autoScaling;
  if (a && !(Number.isInteger(a.minCapacity) && a.minCapacity >= 1 && Number.isInteger(a.maxCapacity) && a.maxCapacity >= a.minCapacity)) {
    problems.push(`${where}: autoScaling capacity ${a.minCapacity}–${a.maxCapacity} is invalid; minCapacity must be a whole number ≥ 1 and maxCapacity ≥ minCapacity, e.g. 1–4`);
  }
  if (a && !(a.invocationsPerInstance > 0)) {
    problems.push(`${where}: autoScaling invocationsPerInstance is ${show(a.invocationsPerInstance)}, but the target must be > 0; e.g. 100 per minute`);
  }
  return problems;
}
