import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
export const EMAIL_MAX_LENGTH = 320;

export const ROLES = ['USER', 'MANAGER', 'ADMIN'] as const;
export type RoleName = (typeof ROLES)[number];

export const emailRule = z
  .string()
  .trim()
  .min(1, 'Enter an email address.')
  .max(EMAIL_MAX_LENGTH, `Email is at most ${EMAIL_MAX_LENGTH} characters.`)
  .pipe(z.email('Enter a valid email address.'));

export const passwordRule = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Password is at most ${PASSWORD_MAX_LENGTH} characters.`);

export const fullNameRule = z.string().trim().max(200, 'Full name is at most 200 characters.');

export const phoneRule = z
  .string()
  .max(40, 'Phone is at most 40 characters.')
  .regex(/^[\d\s()+.-]*$/, 'Phone may contain only digits, spaces and + - ( ) .');

export const countryRule = z.string().max(100, 'Country is at most 100 characters.');

const httpUrl = z.url({ protocol: /^https?$/ });

/** An http(s) URL; an empty string clears the avatar, like null. */
export const avatarUrlRule = z
  .string()
  .trim()
  .max(2000, 'Avatar URL is at most 2000 characters.')
  .refine((value) => value === '' || httpUrl.safeParse(value).success, 'Avatar must be an http or https URL.');

export const roleRule = z.enum(ROLES, 'Pick a role.');

export const registerRules = z.object({
  email: emailRule,
  password: passwordRule,
  fullName: fullNameRule,
  phone: phoneRule,
  country: countryRule,
});

export const loginRules = z.object({
  email: emailRule,
  password: z
    .string()
    .min(1, 'Enter your password.')
    .max(PASSWORD_MAX_LENGTH, `Password is at most ${PASSWORD_MAX_LENGTH} characters.`),
});

export const emailRequestRules = z.object({ email: emailRule });

export const resetPasswordRules = z.object({
  token: z.string().min(1, 'The link has no token.').max(200, 'This link is not valid.'),
  password: passwordRule,
});

export const profileRules = z.object({
  fullName: fullNameRule,
  phone: phoneRule,
  country: countryRule,
  avatarUrl: avatarUrlRule,
});

export const changePasswordRules = z.object({
  currentPassword: z
    .string()
    .min(1, 'Enter your current password.')
    .max(PASSWORD_MAX_LENGTH, 'Current password is wrong.'),
  newPassword: passwordRule,
});

/** An account an admin creates; its email counts as verified. */
export const userCreateRules = registerRules.extend({ role: roleRule });

/** An admin's edit of an account: profile fields, email and role. */
export const userUpdateRules = profileRules.extend({ email: emailRule, role: roleRule });
