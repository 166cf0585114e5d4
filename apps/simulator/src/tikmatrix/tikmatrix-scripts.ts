/**
 * The scripts TikMatrix runs and the checks on each script's `script_config`. The task API page
 * links each script's configuration page without reproducing it; the rules below are what the
 * task page shows (post's example) plus the obvious required field of each script, and are listed
 * in README.md. Unknown keys are accepted, as a real server that forwards configs to scripts would.
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
    (c) => (isStringArray(c.target_usernames) ? undefined : 'target_usernames must be a non-empty array of usernames'),
  ],
  unfollow: [
    (c) =>
      c.count === undefined || (Number.isInteger(c.count) && (c.count as number) > 0)
        ? undefined
        : 'count must be a positive integer',
  ],
  account_warmup: [(c) => (nonNegativeNumber(c.duration) ? undefined : 'duration must be a number of minutes >= 0')],
  comment: [
    (c) => (isStringArray(c.comment_content) ? undefined : 'comment_content must be a non-empty array of comments'),
  ],
  login: [
    (c) => (c.username === undefined || typeof c.username === 'string' ? undefined : 'username must be a string'),
    (c) => (c.password === undefined || typeof c.password === 'string' ? undefined : 'password must be a string'),
  ],
  profile: [
    (c) => (c.nickname === undefined || typeof c.nickname === 'string' ? undefined : 'nickname must be a string'),
  ],
  match_account: [],
};

/** The first problem with a script's config, or undefined when it is acceptable. */
export function checkScriptConfig(script: TikmatrixScript, config: unknown): string | undefined {
  if (config === undefined)
    return script === 'post' || script === 'follow' || script === 'comment' ? 'script_config is required' : undefined;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return 'script_config must be an object';
  for (const rule of RULES[script]) {
    const problem = rule(config as Config);
    if (problem) return `script_config.${problem}`;
  }
  return undefined;
}
