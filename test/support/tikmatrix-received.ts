/**
 * The TikMatrix simulator's own record of what it received: how many tasks each account of each
 * serial got, keyed `<serial>/<username>`. A create makes one task per account signed in on the
 * device, so a serial sent twice shows as an account with two.
 */
export async function tasksPerAccount(simUrl: string): Promise<Map<string, number>> {
  const perAccount = new Map<string, number>();
  for (let page = 1; ; page++) {
    const answer = (await (await fetch(`${simUrl}/api/v1/task?page=${page}&page_size=100`)).json()) as {
      data: { tasks: Array<{ serial: string; username: string }>; total: number };
    };
    for (const task of answer.data.tasks) {
      const account = `${task.serial}/${task.username}`;
      perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
    }
    if (page * 100 >= answer.data.total) break;
  }
  return perAccount;
}

/** The serial of a `tasksPerAccount` key. */
export function serialOf(account: string): string {
  return account.split('/')[0];
}
