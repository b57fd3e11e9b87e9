import { watch, type Ref } from 'vue';
import { useDocumentVisibility } from '@vueuse/core';

/**
 * Re-runs a `useQuery` every `intervalMs` while `active` is true and the tab is visible
 * (e.g. while a mailing on the page is RUNNING); it stops by itself when `active` turns
 * false and when the component goes away. Pass the `query` ref `useQuery` returns.
 */
interface Pollable {
  startPolling(intervalMs: number): void;
  stopPolling(): void;
}

export function usePolling(query: Ref<Pollable | null | undefined>, active: Ref<boolean>, intervalMs = 2000): void {
  const visibility = useDocumentVisibility();
  watch(
    [query, active, visibility],
    ([observable, on, visible]) => {
      if (!observable) return;
      if (on && visible === 'visible') observable.startPolling(intervalMs);
      else observable.stopPolling();
    },
    { immediate: true },
  );
}
