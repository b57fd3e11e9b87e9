import { z } from 'zod';

export const recipientRules = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter an email address.')
    .max(320, 'Email is at most 320 characters.')
    .pipe(z.email('Enter a valid email address.')),
  fullName: z.string().trim().max(200, 'Full name is at most 200 characters.'),
  comment: z.string().max(2000, 'Comment is at most 2000 characters.'),
});

/** Most rows one importRecipients call takes; each row is checked with recipientRules. */
export const MAX_IMPORT_ROWS = 1000;
