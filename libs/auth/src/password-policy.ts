import type { FieldProblem } from '@fleetgate/platform';

/** Passwords people pick when told to pick one; refused whatever the other rules say. */
const COMMON_PASSWORDS = new Set([
  'password123',
  'password1234',
  'qwerty12345',
  '1234567890a',
  'admin123456',
  'letmein12345',
  'welcome12345',
  'fleetgate123',
]);

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The password policy: 10 to 128 characters, letters and digits both, not a well-known password,
 * and not built on the user's e-mail name. Returns the problems, empty when the password is good.
 */
export function passwordProblems(password: string, email: string, field = 'password'): FieldProblem[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    problems.push(`must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
  }
  if (!/\p{L}/u.test(password) || !/\p{N}/u.test(password)) problems.push('must hold both letters and digits');
  if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push('is a well-known password');
  const name = email.split('@')[0]?.toLowerCase() ?? '';
  if (name.length >= 4 && password.toLowerCase().includes(name)) problems.push('must not contain the e-mail name');
  return problems.map((problem) => ({ field, problem }));
}
