import type { OutgoingMail } from '../mail/mailer';

const page = (appUrl: string, path: string) => `${appUrl.replace(/\/+$/, '')}${path}`;

function link(appUrl: string, path: string, token: string): string {
  return `${page(appUrl, path)}?token=${encodeURIComponent(token)}`;
}

export function verificationMail(appUrl: string, to: string, token: string, ttlHours: number): OutgoingMail {
  const url = link(appUrl, '/verify-email', token);
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Welcome to the mailing service!',
      '',
      'Open this link to confirm your email address and activate your account:',
      url,
      '',
      `The link works once and expires in ${ttlHours} hours.`,
      'If you did not sign up, ignore this message.',
    ].join('\n'),
  };
}

export function passwordResetMail(appUrl: string, to: string, token: string, ttlMinutes: number): OutgoingMail {
  const url = link(appUrl, '/reset-password', token);
  return {
    to,
    subject: 'Reset your password',
    text: [
      'Someone asked to reset the password of your mailing service account.',
      '',
      'Open this link to choose a new password:',
      url,
      '',
      `The link works once and expires in ${ttlMinutes} minutes.`,
      'If it was not you, ignore this message: your password stays the same.',
    ].join('\n'),
  };
}

/** To the owner of an address someone tried to sign up with again (the sign-up itself answers as for a new address). */
export function registrationAttemptMail(appUrl: string, to: string): OutgoingMail {
  return {
    to,
    subject: 'Someone tried to sign up with your address',
    text: [
      'Someone tried to create a mailing service account with this email address, which already has one.',
      '',
      'If it was you, log in:',
      page(appUrl, '/login'),
      'or, if you forgot your password, reset it:',
      page(appUrl, '/forgot-password'),
      '',
      'If it was not you, ignore this message: nothing changed in your account.',
    ].join('\n'),
  };
}
