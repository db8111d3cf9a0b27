import { Json } from './json';
import { ENTRYPOINT } from './names';

/**
 * Argo v4's CRDs cap a DAG template at a number of tasks (V4_MAX_ITEMS). A larger top-level DAG
 * is split here into parts: sub-DAG templates of at most that many tasks, which the entrypoint
 * DAG runs, each part after the parts it reads from or waits for.
 *
 * - A unit (a top-level step's task, or every task of one top-level condition, nested conditions
 *   included) stays in one part: the outputs of tasks that may be skipped are only read inside
 *   their unit (the model refuses reads from outside a branch), and a sub-DAG cannot export the
 *   outputs of a skipped task.
 * - A `when` expression reads task outputs directly, in one expression tag: Argo substitutes a
 *   template's inputs when the template starts, tasks' outputs when each task is due, and a tag
 *   that mixes both would resolve at neither. So the tasks whose metrics a `when` reads join its
 *   unit, and every expression reads only tasks of its own part.
 * - `tasks.X.outputs...` resolves only inside X's DAG. A read of a task in another part goes
 *   through that part's outputs (`<task>--<name>`, from the task's output), an argument of the
 *   reading part's entrypoint task, and the reading part's inputs of the same name.
 * - Dependencies on tasks of other parts become dependencies between the parts. A part ends when
 *   all its tasks have ended (skipped tasks count as done), and Argo's DAG failFast stops new tasks
 *   after a failure either way, so every task still starts only after everything it waited for.
 */
export interface NestedDag {
  /** The entrypoint template, then one template per part. */
  readonly templates: Json[];
}

/** The name of part `index` (from 0) of the entrypoint DAG. */
export function partTemplateName(index: number): string {
  return `${ENTRYPOINT}-${index + 1}`;
}

/**
 * A reference to a task: a read of its output in a simple tag (`{{tasks.X.outputs.<kind>.<name>}}`,
 * in task arguments), which a sub-DAG can pass on, or in an expression (`tasks['X'].outputs...`, in
 * `when`), or any other, which must stay inside one part.
 */
const TASK_REFERENCE = /\{\{tasks\.([a-z0-9-]+)\.outputs\.(artifacts|parameters)\.([A-Za-z0-9_-]+)\}\}|tasks\['([a-z0-9-]+)'\]\.outputs\.parameters\['([A-Za-z0-9_-]+)'\]|tasks\.([a-z0-9-]+)\.|tasks\['([a-z0-9-]+)'\]/g;

/**
 * The entrypoint DAG of `tasks` split into parts of at most `maxTasks` tasks, or a reason it
 * cannot be (a unit larger than a part; a cycle, which compile reports elsewhere). `unitOf` names
 * each task's unit; tasks come in graph order.
 */
export function nestedDag(tasks: Json[], unitOf: (task: string) => string, maxTasks: number): NestedDag | { problem: string } {
  const conditional = tasks.find((t) => t.depends !== undefined);
  if (conditional !== undefined) {
    return { problem: `task '${conditional.name}' waits through 'depends', which names tasks of its own DAG only` };
  }
  const unitOfTask = new Map(tasks.map((t) => [t.name as string, unitOf(t.name)]));
  // Units joined by expression reads (union-find; a group is named by its earliest unit).
  const first = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (!first.has(unitOfTask.get(t.name)!)) {
      first.set(unitOfTask.get(t.name)!, i);
    }
  });
  const joined = new Map<string, string>();
  const group = (unit: string): string => {
    let root = unit;
    while (joined.has(root)) {
      root = joined.get(root)!;
    }
    return root;
  };
  const texts = tasks.map((t) => JSON.stringify(t));
  tasks.forEach((task, i) => {
    for (const match of texts[i].matchAll(TASK_REFERENCE)) {
      const other = match[4] ?? match[6] ?? match[7];
      if (other !== undefined && unitOfTask.has(other)) {
        const [a, b] = [group(unitOfTask.get(task.name)!), group(unitOfTask.get(other)!)];
        if (a !== b) {
          joined.set(first.get(a)! < first.get(b)! ? b : a, first.get(a)! < first.get(b)! ? a : b);
        }
      }
    }
  });
  const units = new Map<string, number[]>();
  tasks.forEach((task, i) => {
    const unit = group(unitOfTask.get(task.name)!);
    const members = units.get(unit);
    if (members === undefined) {
      units.set(unit, [i]);
    } else {
      members.push(i);
    }
  });
  const groupOf = new Map(tasks.map((t) => [t.name as string, group(unitOfTask.get(t.name)!)]));
  const order = unitOrder([...units.keys()], (unit) => units.get(unit)!.flatMap((i) => (tasks[i].dependencies ?? []).map((d: string) => groupOf.get(d)!)));
  if (order === undefined) {
    return { problem: 'its tasks wait for each other in a cycle' };
  }
  const big = order.find((unit) => units.get(unit)!.length > maxTasks);
  if (big !== undefined) {
    const conditions = [...first.keys()].filter((u) => group(u) === big && !unitOfTask.has(u)).map((u) => `'${u}'`);
    return { problem: `${units.get(big)!.length} tasks must stay in one DAG (those of condition ${conditions.join(', ')}, with the steps whose metrics their conditions read), and a DAG holds at most ${maxTasks}` };
  }

  const parts: number[][] = [];
  for (const unit of order) {
    const members = units.get(unit)!;
    const last = parts[parts.length - 1];
    if (last !== undefined && last.length + members.length <= maxTasks) {
      last.push(...members);
    } else {
      parts.push([...members]);
    }
  }
  const partOf = new Map<string, number>();
  parts.forEach((members, i) => members.forEach((t) => partOf.set(tasks[t].name, i)));

  // Each part's exports (outputs read by later parts) and imports (inputs it reads), by name.
  const exports = parts.map(() => new Map<string, { kind: string; from: string }>());
  const imports = parts.map(() => new Map<string, { kind: string; part: number }>());
  const rewritten = parts.map((members, i) => members.map((t) => {
    const task = tasks[t];
    const text = texts[t].replace(TASK_REFERENCE, (whole, producer, kind, key, whenTask, _whenKey, otherTask, otherQuoted) => {
      const at = partOf.get(producer ?? whenTask ?? otherTask ?? otherQuoted);
      if (at === undefined || at === i) {
        return whole;
      }
      if (producer === undefined) {
        throw new Error(`internal: task '${task.name}' of ${partTemplateName(i)} refers to a task of ${partTemplateName(at)} in a way a sub-DAG cannot pass on: ${whole}`);
      }
      const name = `${producer}--${key}`;
      exports[at].set(`${kind}:${name}`, { kind, from: `{{tasks.${producer}.outputs.${kind}.${key}}}` });
      imports[i].set(`${kind}:${name}`, { kind, part: at });
      return `{{inputs.${kind}.${name}}}`;
    });
    // The same fields in the same order, waiting only for tasks of this part.
    const local: Json = {};
    for (const [field, value] of Object.entries(text === texts[t] ? task : JSON.parse(text) as Json)) {
      const kept = field === 'dependencies' ? (value as string[]).filter((d) => partOf.get(d) === i) : value;
      if (!(field === 'dependencies' && kept.length === 0)) {
        local[field] = kept;
      }
    }
    return local;
  }));

  const entryTasks = parts.map((members, i) => {
    const after = new Set<number>();
    members.forEach((t) => (tasks[t].dependencies ?? []).forEach((d: string) => partOf.get(d) !== i && after.add(partOf.get(d)!)));
    imports[i].forEach((imported) => after.add(imported.part));
    const passed = (kind: string) => [...imports[i]].filter(([, v]) => v.kind === kind).map(([key, v]) => {
      const name = key.slice(kind.length + 1);
      return kind === 'artifacts'
        ? { name, from: `{{tasks.${partTemplateName(v.part)}.outputs.artifacts.${name}}}` }
        : { name, value: `{{tasks.${partTemplateName(v.part)}.outputs.parameters.${name}}}` };
    });
    return withFields({ name: partTemplateName(i), template: partTemplateName(i) }, {
      dependencies: [...after].sort((a, b) => a - b).map(partTemplateName),
      arguments: nonEmptyFields({ parameters: passed('parameters'), artifacts: passed('artifacts') }),
    });
  });
  const partTemplates = rewritten.map((members, i) => {
    const declared = (kind: string) => [...imports[i]].filter(([, v]) => v.kind === kind).map(([key]) => ({ name: key.slice(kind.length + 1) }));
    const exported = (kind: string) => [...exports[i]].filter(([, v]) => v.kind === kind).map(([key, v]) => {
      const name = key.slice(kind.length + 1);
      return kind === 'artifacts' ? { name, from: v.from } : { name, valueFrom: { parameter: v.from } };
    });
    return withFields({ name: partTemplateName(i) }, {
      inputs: nonEmptyFields({ parameters: declared('parameters'), artifacts: declared('artifacts') }),
      outputs: nonEmptyFields({ parameters: exported('parameters'), artifacts: exported('artifacts') }),
      dag: { tasks: members },
    });
  });
  return { templates: [{ name: ENTRYPOINT, dag: { tasks: entryTasks } }, ...partTemplates] };
}

/** Units in an order where each comes after those it waits for, earliest first among the ready. */
function unitOrder(units: string[], dependenciesOf: (unit: string) => string[]): string[] | undefined {
  const position = new Map(units.map((u, i) => [u, i]));
  const waiting = units.map((u) => new Set(dependenciesOf(u).filter((d) => d !== u)));
  const dependents = units.map(() => [] as number[]);
  waiting.forEach((deps, i) => deps.forEach((d) => dependents[position.get(d)!].push(i)));
  const left = waiting.map((deps) => deps.size);
  const ready = left.flatMap((n, i) => (n === 0 ? [i] : []));
  const out: string[] = [];
  while (ready.length > 0) {
    // The earliest ready unit; few are ready at a time, so a scan beats keeping them sorted.
    let at = 0;
    ready.forEach((u, i) => {
      if (u < ready[at]) {
        at = i;
      }
    });
    const next = ready[at];
    ready.splice(at, 1);
    out.push(units[next]);
    for (const d of dependents[next]) {
      if (--left[d] === 0) {
        ready.push(d);
      }
    }
  }
  return out.length === units.length ? out : undefined;
}

/** `base` with the fields of `extra` that are neither undefined nor empty lists. */
function withFields(base: Json, extra: Json): Json {
  const out = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      out[key] = value;
    }
  }
  return out;
}

function nonEmptyFields(o: Json): Json | undefined {
  const kept = withFields({}, o);
  return Object.keys(kept).length > 0 ? kept : undefined;
}
