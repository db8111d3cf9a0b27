import { Pipeline, PipelineValidationError } from '../../lib';

/** The problems `pipeline.validate()` reports, one by one; [] for a valid pipeline. */
export function problemsOf(p: Pipeline): string[] {
  try {
    p.validate();
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as PipelineValidationError).problems;
  }
}
