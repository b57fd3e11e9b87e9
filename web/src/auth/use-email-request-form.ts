import { ref } from 'vue';
import { useForm } from 'vee-validate';
import { emailRequestRules } from '@mailing/server/rules';
import { apiProblem } from '@/graphql/errors';
import { toTypedSchema } from '@/ui/typed-schema';
import { useServerErrors } from '@/ui/use-server-errors';

/**
 * A one-field form that asks the server to mail a link to an address (a new
 * verification link, a password reset). `sentTo` is the address once asked for;
 * `refusal` why the server will not send one now (too many requests), shown with the form.
 */
export function useEmailRequestForm(request: (values: { email: string }) => Promise<unknown>, initialEmail = '') {
  const form = useForm({
    validationSchema: toTypedSchema(emailRequestRules),
    initialValues: { email: initialEmail },
  });
  const { showServerError } = useServerErrors(form, ['email']);
  const [email, emailAttrs] = form.defineField('email');
  const sentTo = ref('');
  const refusal = ref('');

  const submit = form.handleSubmit(async (values) => {
    refusal.value = '';
    try {
      await request(values);
      sentTo.value = values.email;
    } catch (error) {
      const problem = apiProblem(error);
      if (problem.code === 'TOO_MANY_REQUESTS') refusal.value = problem.message;
      else showServerError(error, 'Not sent');
    }
  });

  return { email, emailAttrs, errors: form.errors, isSubmitting: form.isSubmitting, sentTo, refusal, submit };
}
