import { z } from 'zod';

/**
 * A form that asks for a new password twice: adds `confirmPassword` to the shared rules and
 * reports a mismatch on it. The confirmation never leaves the browser.
 */
export function withPasswordConfirmation<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, passwordField: keyof Shape & string) {
  return schema
    .extend({ confirmPassword: z.string().min(1, 'Repeat the password.') })
    .refine((values: Record<string, unknown>) => values[passwordField] === values.confirmPassword, {
      message: 'The passwords do not match.',
      path: ['confirmPassword'],
    });
}
