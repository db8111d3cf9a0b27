import { Pipeline } from '../../pipeline/pipeline';

export const ENGINE = 'Argo Workflows';

/** Argo substitutes `{{...}}` anywhere in a template and has no escape for it. */
export function braceProblem(where: string, text: string): string[] {
  return typeof text === 'string' && text.includes('{{')
    ? [`${where} ${JSON.stringify(text)} contains '{{', which ${ENGINE} reads as a template variable and cannot pass through literally; remove the double brace (e.g. write '{ {' or pass the text in a file of the step code)`]
    : [];
}

export function parameterProblems(pipeline: Pipeline): string[] {
  return Object.entries(pipeline.parameters).flatMap(([param, def]) => [
    ...(typeof def.defaultValue === 'string' ? braceProblem(`parameter '${param}': default`, def.defaultValue) : []),
    ...(def.allowedValues ?? []).flatMap((v) => braceProblem(`parameter '${param}': allowed value`, v)),
  ]);
}
