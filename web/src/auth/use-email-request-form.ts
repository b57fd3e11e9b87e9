import { ref } from 'vue';
import { useForm } from 'vee-validate';
import { emailRequestRules } from '@mailing/server/rules';
import { toTypedSchema } from '@/ui/typed-schema';
import { useServerErrors } from '@/ui/use-server-errors';

/**
 * A one-field form that asks the server to mail a link to an address (a new
 * verification link, a password reset). `sentTo` is the address once asked for.
 */
export function useEmailRequestForm(request: (values: { email: string }) => Promise<unknown>, initialEmail = '') {
  const form = useForm({
    validationSchema: toTypedSchema(emailRequestRules),
    initialValues: { email: initialEmail },
  });
  const { showServerError } = useServerErrors(form, ['email']);
  const [email, emailAttrs] = form.defineField('email');
  const sentTo = ref('');

  const submit = form.handleSubmit(async (values) => {
    try {
      await request(values);
      sentTo.value = values.email;
    } catch (error) {
      showServerError(error, 'Not sent');
    }
  });

  return { email, emailAttrs, errors: form.errors, isSubmitting: form.isSubmitting, sentTo, submit };
}
