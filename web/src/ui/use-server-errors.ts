import { useToast } from 'primevue/usetoast';
import { apiProblem, type ApiProblem } from '@/graphql/errors';

interface FieldErrorTarget<Field extends string> {
  setFieldError: (field: Field, message: string | undefined) => void;
}

/**
 * Shows a failed request where it belongs: an error about one input (the server's
 * `extensions.field`, e.g. BAD_USER_INPUT or CONFLICT on `email`) goes under that field of
 * the vee-validate form; anything else becomes a toast. A network failure is left to the
 * app-wide banner. `fieldMap` renames server fields to form fields where they differ.
 */
export function useServerErrors<Field extends string>(
  form: FieldErrorTarget<Field>,
  fields: readonly Field[],
  fieldMap: Partial<Record<string, Field>> = {},
) {
  const toast = useToast();

  function showServerError(error: unknown, summary = 'That did not work'): ApiProblem {
    const problem = apiProblem(error);
    const field = problem.field && (fieldMap[problem.field] ?? fields.find((name) => name === problem.field));
    if (field) form.setFieldError(field, problem.message);
    else if (problem.code !== 'NETWORK_ERROR') {
      toast.add({ severity: 'error', summary, detail: problem.message, life: 8000 });
    }
    return problem;
  }

  return { showServerError };
}
