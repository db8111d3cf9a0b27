import { DescMessage, fromJson, JsonValue, toJson } from '@bufbuild/protobuf';
import { parse } from '@bufbuild/cel';
import { kubeflowRegistry } from './descriptors';
import { checkExecutor } from './validate-executor';

/** What compileKubeflow returns and a PipelineVersion's spec carries. */
export interface KubeflowDocumentLike {
  readonly pipelineSpec: { [key: string]: any };
  readonly platformSpec?: { [key: string]: any };
}

type Json = { [key: string]: any };

/**
 * Every problem KFP would have with a compiled document, empty when there are none:
 *
 * 1. Schema: the pipeline spec decodes as ml_pipelines.PipelineSpec, its deploymentSpec as
 *    PipelineDeploymentConfig, the platform spec as PlatformSpec and each executor config in it as
 *    kfp_kubernetes.KubernetesExecutorConfig, with unknown fields rejected (protojson, as KFP's API
 *    server decodes them), from the upstream 2.17.0 protos.
 * 2. Canonical form: each part re-encodes to exactly the JSON given (no default values written,
 *    int64 as strings, enum names), so what we emit is what KFP would store.
 * 3. Meaning: every reference resolves (components, executors, producer tasks and their outputs,
 *    DAG inputs and outputs, placeholders, trigger-policy operands, importer URIs), required inputs
 *    are bound, artifact lists (dsl.Collected) meet list inputs, a loop DAG's outputs are lists,
 *    DAGs have no cycle, trigger conditions parse as CEL, and the names KFP hands to Argo follow
 *    Argo's rule.
 *
 * Three rules are stricter than KFP, to keep our own output tidy: a task may bind only inputs its
 * component declares (KFP ignores others), must list the producers it reads from in dependentTasks
 * (KFP's backend adds them), and may use only the placeholders KFP's launcher substitutes
 * (`.path`/`.uri` of artifacts, parameters, `.output_file`). Run over the 150 SDK-compiled
 * pipelines in kubeflow/pipelines' test_data/sdk_compiled_pipelines/valid (at 7b70c7b), 138 pass,
 * collected artifacts and importers included; the other 12
 * break only these three rules, or are YAML that the `yaml` package reads differently from PyYAML.
 */
export function validateKubeflowDocument(doc: KubeflowDocumentLike): string[] {
  const problems: string[] = [];
  const spec = doc.pipelineSpec;
  decode('ml_pipelines.PipelineSpec', spec, 'pipelineSpec', problems);
  if (spec?.deploymentSpec !== undefined) {
    decode('ml_pipelines.PipelineDeploymentConfig', spec.deploymentSpec, 'pipelineSpec.deploymentSpec', problems);
  }
  if (doc.platformSpec !== undefined) {
    decode('ml_pipelines.PlatformSpec', doc.platformSpec, 'platformSpec', problems);
    for (const [platform, single] of Object.entries<Json>(doc.platformSpec.platforms ?? {})) {
      for (const [label, config] of Object.entries<Json>(single?.deploymentSpec?.executors ?? {})) {
        decode('kfp_kubernetes.KubernetesExecutorConfig', config, `platformSpec.platforms.${platform}.deploymentSpec.executors['${label}']`, problems);
      }
    }
  }
  if (problems.length === 0) {
    problems.push(...meaningProblems(spec, doc.platformSpec));
  }
  return problems;
}

function message(typeName: string): DescMessage {
  const desc = kubeflowRegistry().getMessage(typeName);
  if (!desc) {
    throw new Error(`message ${typeName} is not in the KFP descriptor set`);
  }
  return desc;
}

function decode(typeName: string, json: unknown, where: string, problems: string[]): void {
  const registry = kubeflowRegistry();
  const desc = message(typeName);
  let decoded;
  try {
    decoded = fromJson(desc, json as JsonValue, { registry });
  } catch (e) {
    problems.push(`${where}: does not decode as ${typeName}: ${(e as Error).message}`);
    return;
  }
  const difference = firstDifference(toJson(desc, decoded, { registry }), json, where);
  if (difference) {
    problems.push(`${where}: not canonical proto3 JSON of ${typeName}: ${difference}`);
  }
}

function firstDifference(canonical: unknown, given: unknown, at: string): string | undefined {
  if (Array.isArray(canonical) || Array.isArray(given)) {
    if (!Array.isArray(canonical) || !Array.isArray(given) || canonical.length !== given.length) {
      return `${at} is ${JSON.stringify(given)}, canonically ${JSON.stringify(canonical)}`;
    }
    for (let i = 0; i < canonical.length; i++) {
      const d = firstDifference(canonical[i], given[i], `${at}[${i}]`);
      if (d) {
        return d;
      }
    }
    return undefined;
  }
  if (canonical !== null && given !== null && typeof canonical === 'object' && typeof given === 'object') {
    const keys = new Set([...Object.keys(canonical as Json), ...Object.keys(given as Json)]);
    for (const key of [...keys].sort()) {
      const d = firstDifference((canonical as Json)[key], (given as Json)[key], `${at}.${key}`);
      if (d) {
        return d;
      }
    }
    return undefined;
  }
  return canonical === given ? undefined : `${at} is ${JSON.stringify(given)}, canonically ${JSON.stringify(canonical)}`;
}

const KFP_PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
const ARGO_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const ARGO_NAME_MAX = 128;
const TRIGGER_OPERAND = /inputs\.parameter_values\['([^']*)'\]/g;

function meaningProblems(spec: Json, platformSpec: Json | undefined): string[] {
  const problems: string[] = [];
  if (spec.schemaVersion !== '2.1.0') {
    problems.push(`schemaVersion ${JSON.stringify(spec.schemaVersion)}: KFP accepts only 2.1.0`);
  }
  const name = spec.pipelineInfo?.name;
  if (typeof name !== 'string' || !KFP_PIPELINE_NAME.test(name)) {
    problems.push(`pipelineInfo.name ${JSON.stringify(name)}: KFP requires ^[a-z0-9][a-z0-9-]{0,127}$`);
  }
  const components: Json = spec.components ?? {};
  const executors: Json = spec.deploymentSpec?.executors ?? {};
  const templates = new Set<string>();
  const argoName = (what: string, n: string) => {
    if (n.length > ARGO_NAME_MAX || !ARGO_NAME.test(n)) {
      problems.push(`${what} '${n}' is not a valid Argo name (letters, digits, '-', starting with a letter or digit, at most ${ARGO_NAME_MAX} chars)`);
    }
  };
  const template = (n: string) => {
    argoName('Argo template', n);
    if (templates.has(n)) {
      problems.push(`Argo template '${n}' would be created twice`);
    }
    templates.add(n);
  };
  const looped = new Set<string>();
  for (const dag of [spec.root, ...Object.values<Json>(components)]) {
    for (const task of Object.values<Json>(dag?.dag?.tasks ?? {})) {
      if (task.parameterIterator || task.artifactIterator) {
        looped.add(task.componentRef?.name);
      }
    }
  }
  if (!spec.root?.dag) {
    problems.push('root has no dag');
  } else {
    checkDag('root', spec.root, components, problems, argoName, template, false);
  }
  for (const [compName, comp] of Object.entries<Json>(components)) {
    template(compName);
    if (comp.dag) {
      checkDag(`component '${compName}'`, comp, components, problems, argoName, template, looped.has(compName));
    } else if (comp.executorLabel) {
      checkExecutor(compName, comp, executors[comp.executorLabel], problems);
    } else {
      problems.push(`component '${compName}' has neither a dag nor an executorLabel`);
    }
  }
  for (const [platform, single] of Object.entries<Json>(platformSpec?.platforms ?? {})) {
    for (const label of Object.keys(single?.deploymentSpec?.executors ?? {})) {
      if (!(label in executors)) {
        problems.push(`platformSpec.platforms.${platform}: executor '${label}' is not in deploymentSpec.executors`);
      }
    }
  }
  return problems;
}

function checkDag(
  where: string,
  component: Json,
  components: Json,
  problems: string[],
  argoName: (what: string, n: string) => void,
  template: (n: string) => void,
  looped: boolean,
): void {
  const tasks: Json = component.dag.tasks ?? {};
  const own = component.inputDefinitions ?? {};
  const argoTasks = new Set<string>();
  for (const [key, task] of Object.entries<Json>(tasks)) {
    const at = `${where}, task '${key}'`;
    const iterator = task.parameterIterator ?? task.artifactIterator;
    for (const n of iterator ? [key] : [key, `${key}-driver`]) {
      argoName('Argo task', n);
      if (argoTasks.has(n)) {
        problems.push(`${at}: Argo task name '${n}' is used twice in this DAG`);
      }
      argoTasks.add(n);
    }
    const ref = task.componentRef?.name;
    const target: Json | undefined = components[ref];
    if (!target) {
      problems.push(`${at}: componentRef '${ref}' is not a component`);
      continue;
    }
    if (iterator) {
      template(`${ref}-${key}-iterator`);
      template(`${ref}-iteration`);
    }
    const deps: string[] = task.dependentTasks ?? [];
    for (const dep of deps) {
      if (!(dep in tasks) || dep === key) {
        problems.push(`${at}: dependentTasks names '${dep}', which is not another task of this DAG`);
      }
    }
    const targetInputs = target.inputDefinitions ?? {};
    const params: Json = task.inputs?.parameters ?? {};
    const artifacts: Json = task.inputs?.artifacts ?? {};
    for (const [input, bind] of Object.entries<Json>(params)) {
      const def = targetInputs.parameters?.[input];
      if (!def) {
        problems.push(`${at}: input parameter '${input}' is not defined by component '${ref}'`);
      }
      if (bind.componentInputParameter !== undefined && !own.parameters?.[bind.componentInputParameter]) {
        problems.push(`${at}: input parameter '${input}' reads '${bind.componentInputParameter}', which ${where} does not define as an input parameter`);
      }
      if (bind.taskOutputParameter) {
        checkProducer(at, 'parameter', bind.taskOutputParameter.producerTask, bind.taskOutputParameter.outputParameterKey, tasks, components, deps, problems);
      }
      if (bind.runtimeValue && def) {
        const typeProblem = constantTypeProblem(bind.runtimeValue.constant, def.parameterType);
        if (typeProblem) {
          problems.push(`${at}: input parameter '${input}' ${typeProblem}`);
        }
      }
    }
    for (const [input, bind] of Object.entries<Json>(artifacts)) {
      const def = targetInputs.artifacts?.[input];
      if (!def) {
        problems.push(`${at}: input artifact '${input}' is not defined by component '${ref}'`);
      }
      const source = bind.componentInputArtifact !== undefined ? own.artifacts?.[bind.componentInputArtifact] : undefined;
      if (bind.componentInputArtifact !== undefined && !source) {
        problems.push(`${at}: input artifact '${input}' reads '${bind.componentInputArtifact}', which ${where} does not define as an input artifact`);
      }
      if (bind.taskOutputArtifact) {
        checkProducer(at, 'artifact', bind.taskOutputArtifact.producerTask, bind.taskOutputArtifact.outputArtifactKey, tasks, components, deps, problems);
      }
      const produced = bind.taskOutputArtifact
        ? components[tasks[bind.taskOutputArtifact.producerTask]?.componentRef?.name]?.outputDefinitions?.artifacts?.[bind.taskOutputArtifact.outputArtifactKey]
        : source;
      if (def && produced && Boolean(def.isArtifactList) !== Boolean(produced.isArtifactList)) {
        problems.push(`${at}: input artifact '${input}' is ${def.isArtifactList ? 'a list' : 'one artifact'} in component '${ref}', but is bound to ${produced.isArtifactList ? 'a list' : 'one artifact'}`);
      }
    }
    const itemInput = task.parameterIterator?.itemInput;
    if (task.parameterIterator) {
      if (!targetInputs.parameters?.[itemInput]) {
        problems.push(`${at}: parameterIterator.itemInput '${itemInput}' is not an input parameter of component '${ref}'`);
      }
      const raw = task.parameterIterator.items?.raw;
      if (raw !== undefined) {
        let items: unknown;
        try {
          items = JSON.parse(raw);
        } catch {
          items = undefined;
        }
        if (!Array.isArray(items) || items.length === 0) {
          problems.push(`${at}: parameterIterator.items.raw ${JSON.stringify(raw)} is not a non-empty JSON array`);
        }
      }
    }
    for (const [input, def] of Object.entries<Json>(targetInputs.parameters ?? {})) {
      if (!def.isOptional && def.defaultValue === undefined && !(input in params) && input !== itemInput) {
        problems.push(`${at}: does not bind the required input parameter '${input}' of component '${ref}'`);
      }
    }
    for (const [input, def] of Object.entries<Json>(targetInputs.artifacts ?? {})) {
      if (!def.isOptional && !(input in artifacts) && input !== task.artifactIterator?.itemInput) {
        problems.push(`${at}: does not bind the required input artifact '${input}' of component '${ref}'`);
      }
    }
    const condition: string | undefined = task.triggerPolicy?.condition;
    if (condition !== undefined) {
      try {
        parse(condition);
      } catch (e) {
        problems.push(`${at}: trigger condition does not parse as CEL: ${(e as Error).message}`);
      }
      for (const match of condition.matchAll(TRIGGER_OPERAND)) {
        if (!(match[1] in params)) {
          problems.push(`${at}: trigger condition reads '${match[1]}', which is not an input parameter of the task`);
        }
      }
    }
  }
  for (const [key, output] of Object.entries<Json>(component.dag.outputs?.artifacts ?? {})) {
    const def = component.outputDefinitions?.artifacts?.[key];
    if (!def) {
      problems.push(`${where}: dag output artifact '${key}' is not in its outputDefinitions`);
    }
    for (const selector of output.artifactSelectors ?? []) {
      const producer = tasks[selector.producerSubtask];
      const selected = components[producer?.componentRef?.name]?.outputDefinitions?.artifacts?.[selector.outputArtifactKey];
      if (!selected) {
        problems.push(`${where}: dag output artifact '${key}' selects output '${selector.outputArtifactKey}' of '${selector.producerSubtask}', which is not an output of a task of this DAG`);
      } else if (def && !def.isArtifactList && (looped || selected.isArtifactList)) {
        // A DAG nested in a loop body may declare a list too (the SDK does for conditions there).
        problems.push(`${where}: dag output artifact '${key}' must be a list: it selects ${selected.isArtifactList ? 'a list' : 'one artifact in a loop body (one per iteration)'}`);
      }
    }
  }
  const cycle = findCycle(tasks);
  if (cycle) {
    problems.push(`${where}: dependentTasks form a cycle: ${cycle.join(' -> ')}`);
  }
}

function checkProducer(at: string, kind: 'parameter' | 'artifact', producer: string, key: string, tasks: Json, components: Json, deps: string[], problems: string[]): void {
  const producerTask = tasks[producer];
  if (!producerTask) {
    problems.push(`${at}: reads output ${kind} '${key}' of '${producer}', which is not a task of this DAG`);
    return;
  }
  const outputs = components[producerTask.componentRef?.name]?.outputDefinitions?.[`${kind}s`] ?? {};
  if (!(key in outputs)) {
    problems.push(`${at}: reads output ${kind} '${key}' of '${producer}', whose component defines no such output`);
  }
  if (!deps.includes(producer)) {
    problems.push(`${at}: reads an output of '${producer}' but does not list it in dependentTasks`);
  }
}

function constantTypeProblem(constant: unknown, parameterType: string): string | undefined {
  const expected: { [type: string]: string } = { STRING: 'string', NUMBER_INTEGER: 'number', NUMBER_DOUBLE: 'number', BOOLEAN: 'boolean' };
  const want = expected[parameterType];
  if (want && typeof constant !== want) {
    return `is the constant ${JSON.stringify(constant)}, but the component declares ${parameterType}`;
  }
  if (parameterType === 'NUMBER_INTEGER' && !Number.isInteger(constant)) {
    return `is the constant ${JSON.stringify(constant)}, not an integer`;
  }
  return undefined;
}

function findCycle(tasks: Json): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (key: string): string[] | undefined => {
    state.set(key, 'open');
    stack.push(key);
    for (const dep of tasks[key]?.dependentTasks ?? []) {
      if (!(dep in tasks)) {
        continue;
      }
      if (state.get(dep) === 'open') {
        return [...stack.slice(stack.indexOf(dep)), dep];
      }
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) {
          return found;
        }
      }
    }
    stack.pop();
    state.set(key, 'done');
    return undefined;
  };
  for (const key of Object.keys(tasks)) {
    if (!state.has(key)) {
      const found = visit(key);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}
