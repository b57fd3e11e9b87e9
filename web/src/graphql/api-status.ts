import { readonly, ref } from 'vue';

const unreachable = ref(false);

/** True while the last request could not reach the API (network down, proxy without a server). */
export const apiUnreachable = readonly(unreachable);

export function markApiReachable(reachable: boolean): void {
  unreachable.value = !reachable;
}

type RetryHook = () => Promise<unknown>;
const retryHooks: RetryHook[] = [];

/** Something to do again once the server may be back (re-run queries, a failed navigation). */
export function onRetry(hook: RetryHook): void {
  retryHooks.push(hook);
}

/** "Try again" on the banner. */
export async function retryAll(): Promise<void> {
  await Promise.allSettled(retryHooks.map((hook) => hook()));
}

type SessionLostListener = (message: string) => Promise<void>;
let sessionLostListener: SessionLostListener | undefined;

/** The shell decides what happens when the server ends a session (go to login with a message). */
export function onSessionLost(listener: SessionLostListener): void {
  sessionLostListener = listener;
}

export function reportSessionLost(message: string): void {
  void sessionLostListener?.(message);
}
