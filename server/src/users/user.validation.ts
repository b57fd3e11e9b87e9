import { IsEmail, IsUrl, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** Applies several property decorators as one, so each rule is written once. */
function all(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

export const ValidEmail = () =>
  all(
    IsEmail({}, { message: 'Enter a valid email address.' }),
    MaxLength(320, { message: 'Email is at most 320 characters.' }),
  );

export const ValidPassword = () =>
  all(
    MinLength(PASSWORD_MIN_LENGTH, { message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters.` }),
    MaxLength(PASSWORD_MAX_LENGTH, { message: `Password is at most ${PASSWORD_MAX_LENGTH} characters.` }),
  );

export const ValidFullName = () => MaxLength(200, { message: 'Full name is at most 200 characters.' });

export const ValidPhone = () =>
  all(
    MaxLength(40, { message: 'Phone is at most 40 characters.' }),
    Matches(/^[\d\s()+.-]*$/, { message: 'Phone may contain only digits, spaces and + - ( ) .' }),
  );

export const ValidCountry = () => MaxLength(100, { message: 'Country is at most 100 characters.' });

/** An http(s) URL; an empty string clears the avatar, like null. */
export const ValidAvatarUrl = () =>
  all(
    ValidateIf((_object, value) => value !== ''),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'Avatar must be an http or https URL.' }),
    MaxLength(2000, { message: 'Avatar URL is at most 2000 characters.' }),
  );
