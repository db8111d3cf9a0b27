import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { KubeflowDocumentLike } from './validate-ir';

export interface EmulatedRunOptions {
  /** A fresh directory for this run: the container's mounts and artifact paths live under it. */
  readonly root: string;
  /** The values of the component's input parameters, as KFP renders them into placeholders. */
  readonly parameters?: { [name: string]: string };
  /** Local directories (or files) of the component's input artifacts. */
  readonly inputArtifacts?: { [name: string]: string };
  /**
   * The artifacts of list inputs (isArtifactList), each with its metadata as KFP's driver passes
   * it from MLMD. KFP's launcher downloads them to paths derived from their URIs (/minio/...),
   * which a test cannot write; the emulated executor input gives their local directories as
   * customPath, which KFP's launcher also honours.
   */
  readonly inputArtifactLists?: { [name: string]: { path: string; metadata?: { [key: string]: unknown } }[] };
  /** The bytes of the step's code ConfigMap key `code.zip`. */
  readonly codeZip?: Buffer;
  /** The pod's `pipeline/runid` label, read through fieldPathAsEnv. */
  readonly runId?: string;
}

export interface EmulatedRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Where each output artifact was to be written. */
  readonly outputArtifacts: { [name: string]: string };
  /** The text of each output parameter file that exists. */
  readonly outputParameters: { [name: string]: string };
  /** The executor output file the step wrote (metrics artifact metadata), if any. */
  readonly executorOutput?: { [key: string]: any };
}

/**
 * Runs one executor of a compiled document on this machine the way KFP's launcher runs it in a
 * pod: placeholders in command and args are replaced with local paths and values, the platform
 * spec's mounts (the code ConfigMap, the scratch emptyDir) become directories under `root`, and
 * fieldPathAsEnv variables are set. Only what the IR says is used, so it tests the IR's wiring.
 */
export function runExecutor(doc: KubeflowDocumentLike, label: string, options: EmulatedRunOptions): EmulatedRun {
  const spec = doc.pipelineSpec;
  const container = spec.deploymentSpec.executors[label]?.container;
  const component = Object.values<any>(spec.components).find((c) => c.executorLabel === label);
  if (!container || !component) {
    throw new Error(`no container executor '${label}' with a component in the document`);
  }
  const config = doc.platformSpec?.platforms?.kubernetes?.deploymentSpec?.executors?.[label] ?? {};
  const root = options.root;

  // Mounts: each mount path maps to a directory under root.
  const mounts: [string, string][] = [];
  for (const volume of config.configMapAsVolume ?? []) {
    const dir = path.join(root, 'mounts', 'configmap');
    fs.mkdirSync(dir, { recursive: true });
    if (options.codeZip) {
      fs.writeFileSync(path.join(dir, 'code.zip'), options.codeZip);
    }
    mounts.push([volume.mountPath, dir]);
  }
  for (const volume of config.emptyDirMounts ?? []) {
    const dir = path.join(root, 'mounts', volume.volumeName);
    fs.mkdirSync(dir, { recursive: true });
    mounts.push([volume.mountPath, dir]);
  }
  // One pass over all mount paths, so a directory put in for one mount is never remapped again.
  const dirOf = new Map(mounts.map(([mount, dir]) => [`${mount}/`, `${dir}/`]));
  const mountPattern = new RegExp([...dirOf.keys()].sort((a, b) => b.length - a.length).map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const remap = (text: string) => (dirOf.size === 0 ? text : text.replace(mountPattern, (m) => dirOf.get(m)!));

  const placeholders: { [key: string]: string } = {};
  for (const name of Object.keys(component.inputDefinitions?.parameters ?? {})) {
    if (options.parameters?.[name] !== undefined) {
      placeholders[`{{$.inputs.parameters['${name}']}}`] = options.parameters[name];
    }
  }
  for (const name of Object.keys(component.inputDefinitions?.artifacts ?? {})) {
    const local = options.inputArtifacts?.[name];
    if (local !== undefined) {
      placeholders[`{{$.inputs.artifacts['${name}'].path}}`] = local;
    }
  }
  const outputArtifacts: { [name: string]: string } = {};
  for (const name of Object.keys(component.outputDefinitions?.artifacts ?? {})) {
    outputArtifacts[name] = path.join(root, 'outputs', 'artifacts', name);
    fs.mkdirSync(path.dirname(outputArtifacts[name]), { recursive: true });
    placeholders[`{{$.outputs.artifacts['${name}'].path}}`] = outputArtifacts[name];
    placeholders[`{{$.outputs.artifacts['${name}'].uri}}`] = `minio://mlpipeline/emulated/${label}/${name}`;
  }
  const parameterFiles: { [name: string]: string } = {};
  for (const name of Object.keys(component.outputDefinitions?.parameters ?? {})) {
    // KFP's launcher creates each output parameter file's directory before the command runs.
    parameterFiles[name] = path.join(root, 'outputs', 'parameters', name);
    fs.mkdirSync(path.dirname(parameterFiles[name]), { recursive: true });
    placeholders[`{{$.outputs.parameters['${name}'].output_file}}`] = parameterFiles[name];
  }
  // The whole executor input, as KFP's launcher passes it for {{$}}.
  const executorOutputFile = path.join(root, 'outputs', 'executor_output.json');
  const inputLists: { [name: string]: any } = {};
  for (const [name, items] of Object.entries(options.inputArtifactLists ?? {})) {
    if (!component.inputDefinitions?.artifacts?.[name]?.isArtifactList) {
      throw new Error(`executor '${label}': input '${name}' is not a list input of its component`);
    }
    inputLists[name] = {
      artifacts: items.map((item, i) => ({ name: String(100 + i), uri: `minio://mlpipeline/emulated/${name}/${i}`, customPath: item.path, metadata: item.metadata ?? {} })),
    };
  }
  placeholders['{{$}}'] = JSON.stringify({
    inputs: { artifacts: inputLists },
    outputs: {
      artifacts: Object.fromEntries(Object.keys(outputArtifacts).map((name) => [name, {
        artifacts: [{ name, uri: `minio://mlpipeline/emulated/${label}/${name}`, type: component.outputDefinitions.artifacts[name].artifactType }],
      }])),
      parameters: Object.fromEntries(Object.entries(parameterFiles).map(([name, file]) => [name, { outputFile: file }])),
      outputFile: executorOutputFile,
    },
  });
  const substitute = (text: string) => {
    // Mount paths are rewritten in the IR's text only, never in the local paths put in below.
    let out = remap(text);
    for (const [key, value] of Object.entries(placeholders)) {
      out = out.split(key).join(value);
    }
    const left = /\{\{\$[^}]*\}\}/.exec(out);
    if (left) {
      throw new Error(`executor '${label}': placeholder ${left[0]} has no value in this emulated run`);
    }
    return out;
  };

  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root };
  for (const e of config.fieldPathAsEnv ?? []) {
    env[e.name] = e.fieldPath === "metadata.labels['pipeline/runid']" ? options.runId ?? '' : '';
  }
  const scratch = mounts.find(([mount]) => mount === '/tmp');
  if (scratch) {
    env.TMPDIR = scratch[1];
  }
  const [command, ...commandArgs] = [...container.command, ...container.args].map((t: string) => substitute(t));
  const run = spawnSync(command, commandArgs, { encoding: 'utf8', env, cwd: root });
  const outputParameters: { [name: string]: string } = {};
  for (const [name, file] of Object.entries(parameterFiles)) {
    if (fs.existsSync(file)) {
      outputParameters[name] = fs.readFileSync(file, 'utf8');
    }
  }
  const executorOutput = fs.existsSync(executorOutputFile) ? JSON.parse(fs.readFileSync(executorOutputFile, 'utf8')) : undefined;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, outputArtifacts, outputParameters, executorOutput };
}
