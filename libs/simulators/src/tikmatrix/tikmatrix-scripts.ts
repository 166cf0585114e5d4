/**
 * The scripts TikMatrix runs and the checks on each script's `script_config`. The task API page
 * links each script's configuration page without reproducing it, so only post's example fields can
 * be required (`material_list`: a post without material cannot run); every other known field is
 * checked for its type when present. Unknown keys are accepted, as a real server that forwards
 * configs to scripts would. README.md lists the rules.
 */
export const TIKMATRIX_SCRIPTS = [
  'post',
  'follow',
  'unfollow',
  'account_warmup',
  'comment',
  'login',
  'profile',
  'match_account',
] as const;
export type TikmatrixScript = (typeof TIKMATRIX_SCRIPTS)[number];

type Config = Record<string, unknown>;
type Rule = (config: Config) => string | undefined;

const isStringArray = (value: unknown) =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item.length > 0);
const nonNegativeNumber = (value: unknown) =>
  value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
const optionalStringArray = (value: unknown) => value === undefined || isStringArray(value);
const optionalString = (value: unknown) => value === undefined || typeof value === 'string';

const RULES: Record<TikmatrixScript, Rule[]> = {
  post: [
    (c) =>
      c.content_type === undefined || c.content_type === 0 || c.content_type === 1
        ? undefined
        : 'content_type must be 0 (video) or 1 (image)',
    (c) => (isStringArray(c.material_list) ? undefined : 'material_list must be a non-empty array of file paths'),
    (c) => (c.captions === undefined || typeof c.captions === 'string' ? undefined : 'captions must be a string'),
    (c) => (nonNegativeNumber(c.upload_wait_time) ? undefined : 'upload_wait_time must be a number of seconds >= 0'),
  ],
  follow: [
    (c) =>
      optionalStringArray(c.target_usernames) ? undefined : 'target_usernames must be a non-empty array of usernames',
    (c) => (nonNegativeNumber(c.follow_count) ? undefined : 'follow_count must be a number >= 0'),
  ],
  unfollow: [
    (c) =>
      c.count === undefined || (Number.isInteger(c.count) && (c.count as number) > 0)
        ? undefined
        : 'count must be a positive integer',
    (c) =>
      optionalStringArray(c.target_usernames) ? undefined : 'target_usernames must be a non-empty array of usernames',
  ],
  account_warmup: [(c) => (nonNegativeNumber(c.duration) ? undefined : 'duration must be a number of minutes >= 0')],
  comment: [
    (c) =>
      optionalStringArray(c.comment_content) ? undefined : 'comment_content must be a non-empty array of comments',
    (c) => (optionalStringArray(c.post_urls) ? undefined : 'post_urls must be a non-empty array of links'),
  ],
  login: [
    (c) => (optionalString(c.username) ? undefined : 'username must be a string'),
    (c) => (optionalString(c.password) ? undefined : 'password must be a string'),
  ],
  profile: [
    (c) => (optionalString(c.nickname) ? undefined : 'nickname must be a string'),
    (c) => (optionalString(c.bio) ? undefined : 'bio must be a string'),
    (c) => (optionalString(c.avatar) ? undefined : 'avatar must be a file path'),
  ],
  match_account: [],
};

/** The first problem with a script's config, or undefined when it is acceptable. */
export function checkScriptConfig(script: TikmatrixScript, config: unknown): string | undefined {
  // Required by the English page, optional by the Chinese copy: only post, which cannot run without material, needs it.
  if (config === undefined || config === null) return script === 'post' ? 'script_config is required' : undefined;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return 'script_config must be an object';
  for (const rule of RULES[script]) {
    const problem = rule(config as Config);
    if (problem) return `script_config.${problem}`;
  }
  return undefined;
}
