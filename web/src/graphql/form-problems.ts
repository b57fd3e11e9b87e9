import { apiProblem, type ApiProblem } from './errors';

/**
 * Shows an API error under the form input it is about, when the form has that
 * input; otherwise returns the problem for the form to show as a whole.
 */
export function formProblem<Field extends string>(
  error: unknown,
  fields: readonly Field[],
  setFieldError: (field: Field, message: string) => void,
): ApiProblem | undefined {
  const problem = apiProblem(error);
  const field = fields.find((name) => name === problem.field);
  if (!field) return problem;
  setFieldError(field, problem.message);
  return undefined;
}
