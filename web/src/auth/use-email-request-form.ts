import { ref } from 'vue';
import { useForm } from 'vee-validate';
import { toTypedSchema } from '@vee-validate/zod';
import { z } from 'zod';
import { formProblem } from '@/graphql/form-problems';
import { emailRule } from '@/auth/account-rules';

/**
 * A one-field form that asks the server to mail a link to an address (a new
 * verification link, a password reset). `sentTo` is the address once asked for.
 */
export function useEmailRequestForm(request: (values: { email: string }) => Promise<unknown>) {
  const { defineField, errors, handleSubmit, isSubmitting, setFieldError } = useForm({
    validationSchema: toTypedSchema(z.object({ email: emailRule })),
    initialValues: { email: '' },
  });
  const [email, emailAttrs] = defineField('email');
  const formError = ref('');
  const sentTo = ref('');

  const submit = handleSubmit(async (values) => {
    formError.value = '';
    try {
      await request(values);
      sentTo.value = values.email;
    } catch (error) {
      formError.value = formProblem(error, ['email'], setFieldError)?.message ?? '';
    }
  });

  return { email, emailAttrs, errors, isSubmitting, formError, sentTo, submit };
}
