type Json = { [key: string]: any };

const PLACEHOLDER = /\{\{\$([^}]*)\}\}/g;

/**
 * The problems of one component's executor: an importer reads its URI from a constant or an
 * input and yields one artifact of its type; a container has an image and uses only the
 * placeholders KFP's launcher substitutes for the component's own inputs and outputs.
 */
export function checkExecutor(compName: string, component: Json, executor: Json | undefined, problems: string[]): void {
  const at = `component '${compName}'`;
  if (!executor) {
    problems.push(`${at}: executorLabel '${component.executorLabel}' is not in deploymentSpec.executors`);
    return;
  }
  if (executor.importer) {
    const importer = executor.importer;
    const param = importer.artifactUri?.runtimeParameter;
    if (param !== undefined ? !component.inputDefinitions?.parameters?.[param] : typeof importer.artifactUri?.constant !== 'string') {
      problems.push(`${at}: importer artifactUri is neither a string constant nor an input parameter of the component`);
    }
    const outputs = Object.entries<Json>(component.outputDefinitions?.artifacts ?? {});
    if (outputs.length !== 1 || outputs[0][0] !== 'artifact' || JSON.stringify(outputs[0][1].artifactType) !== JSON.stringify(importer.typeSchema)) {
      problems.push(`${at}: an importer component has exactly one output artifact, 'artifact', of the importer's typeSchema`);
    }
    return;
  }
  const container = executor.container;
  if (!container) {
    return;
  }
  if (!container.image) {
    problems.push(`${at}: executor '${component.executorLabel}' has no image`);
  }
  const inputs = component.inputDefinitions ?? {};
  const outputs = component.outputDefinitions ?? {};
  const has = (defs: Json | undefined, name: string) => defs !== undefined && name in defs;
  for (const text of [...(container.command ?? []), ...(container.args ?? [])]) {
    for (const match of String(text).matchAll(PLACEHOLDER)) {
      const body = match[1];
      const ref = /^\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\](\.path|\.uri|\.output_file)?$/.exec(body);
      if (body === '') {
        continue;
      }
      const known = ref && (
        (ref[1] === 'inputs' && ref[2] === 'parameters' && ref[4] === undefined && has(inputs.parameters, ref[3]))
        || (ref[1] === 'inputs' && ref[2] === 'artifacts' && (ref[4] === '.path' || ref[4] === '.uri') && has(inputs.artifacts, ref[3]))
        || (ref[1] === 'outputs' && ref[2] === 'artifacts' && (ref[4] === '.path' || ref[4] === '.uri') && has(outputs.artifacts, ref[3]))
        || (ref[1] === 'outputs' && ref[2] === 'parameters' && ref[4] === '.output_file' && has(outputs.parameters, ref[3])));
      if (!known) {
        problems.push(`${at}: placeholder '${match[0]}' does not refer to an input or output of the component`);
      }
    }
  }
}
