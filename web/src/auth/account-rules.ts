import { z } from 'zod';

// The server's rules for account fields (server/src/users/user.validation.ts).
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const emailRule = z
  .string()
  .trim()
  .min(1, 'Enter your email.')
  .max(320, 'Email is at most 320 characters.')
  .email('Enter a valid email address.');

export const newPasswordRule = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Password is at most ${PASSWORD_MAX_LENGTH} characters.`);

export const fullNameRule = z.string().trim().max(200, 'Full name is at most 200 characters.');

/** A new password typed twice; a mismatch is reported on the confirmation. */
export function withPasswordConfirmation<Shape extends z.ZodRawShape>(shape: Shape) {
  return z
    .object({ ...shape, password: newPasswordRule, confirmPassword: z.string().min(1, 'Repeat the password.') })
    .refine((values) => values.password === values.confirmPassword, {
      message: 'The passwords do not match.',
      path: ['confirmPassword'],
    });
}
