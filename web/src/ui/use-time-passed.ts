import { onScopeDispose, ref, watch, type Ref } from 'vue';

/** True once the time `at` (ISO) has passed; it turns true by itself at that moment (e.g. a mailing's end). */
export function useTimePassed(at: () => string | null | undefined): Ref<boolean> {
  const passed = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  function check(): void {
    clearTimeout(timer);
    const value = at();
    const left = value ? new Date(value).getTime() - Date.now() : Infinity;
    passed.value = left <= 0;
    // setTimeout waits at most about 24.8 days: a later time is looked at again then.
    if (Number.isFinite(left) && left > 0) timer = setTimeout(check, Math.min(left, 2 ** 31 - 1));
  }
  watch(at, check, { immediate: true });
  onScopeDispose(() => clearTimeout(timer));
  return passed;
}
