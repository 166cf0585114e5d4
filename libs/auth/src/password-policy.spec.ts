import { passwordProblems } from './password-policy';

describe('password policy', () => {
  it('accepts a long password with letters and digits', () => {
    expect(passwordProblems('correct horse 42 battery', 'ops@example.com')).toEqual([]);
  });

  it.each([
    ['short1', 'must be 10 to 128 characters'],
    ['onlyletterslong', 'must hold both letters and digits'],
    ['12345678901234', 'must hold both letters and digits'],
    ['Password123', 'is a well-known password'],
    ['operator-2026-x', 'must not contain the e-mail name'],
  ])('refuses %s: %s', (password, problem) => {
    expect(passwordProblems(password, 'operator@example.com')).toContainEqual({ field: 'password', problem });
  });
});
