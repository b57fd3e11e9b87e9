import { computed, ref, watch, type Ref } from 'vue';
import { refDebounced } from '@vueuse/core';
import { useQuery } from '@vue/apollo-composable';
import type { TypedDocumentNode } from '@apollo/client/core';
import type { DataTablePageEvent } from 'primevue/datatable';

export interface Page<Item> {
  items: Item[];
  total: number;
  offset: number;
  limit: number;
}

interface PagedVariables {
  offset?: number | null;
  limit?: number | null;
  search?: string | null;
}

export interface PagedListOptions<Data, Variables, Item> {
  /** Picks the `{ items total offset limit }` page out of the query's answer. */
  page: (data: Data) => Page<Item>;
  /** Further variables (filters); a change goes back to the first page. */
  filters?: () => Omit<Variables, keyof PagedVariables>;
  /**
   * Variables that choose what the list covers (a report's period) rather than narrow it:
   * sent and watched like filters, but the list still counts as empty while they are set.
   */
  scope?: () => Partial<Omit<Variables, keyof PagedVariables>>;
  pageSize?: number;
  /** Wait this long after the last keystroke before searching. */
  searchDelayMs?: number;
}

/**
 * A server-side paged list for a lazy PrimeVue DataTable: the query runs with
 * offset/limit/search (+ filters), and the table binds to what this returns:
 * `<DataTable lazy paginator :value="items" :total-records="total" :rows="pageSize" :first="first" :loading="loading" @page="onPage">`.
 */
export function usePagedList<Data, Variables extends PagedVariables, Item>(
  document: TypedDocumentNode<Data, Variables>,
  options: PagedListOptions<Data, Variables, Item>,
) {
  const pageSize = ref(options.pageSize ?? 20);
  const first = ref(0);
  const search = ref('');
  const debouncedSearch = refDebounced(search, options.searchDelayMs ?? 300);
  const filters = computed(() => options.filters?.() ?? {});
  const scope = computed(() => options.scope?.() ?? {});

  // A new search, filter or scope shows its results from the first row.
  watch([debouncedSearch, () => JSON.stringify([filters.value, scope.value])], () => (first.value = 0));

  const variables = computed(
    () =>
      ({
        ...scope.value,
        ...filters.value,
        offset: first.value,
        limit: pageSize.value,
        search: debouncedSearch.value.trim() || null,
      }) as Variables,
  );

  const { result, loading, error, refetch, query } = useQuery(document, variables, { fetchPolicy: 'cache-and-network' });

  const page = computed(() => (result.value ? options.page(result.value as Data) : undefined));
  const items = computed(() => page.value?.items ?? []) as Ref<Item[]>;
  const total = computed(() => page.value?.total ?? 0);
  /** Nothing at all yet, no search or filter typed: the page shows its empty state. */
  const isEmpty = computed(
    () => !loading.value && page.value !== undefined && total.value === 0 && !debouncedSearch.value.trim() && Object.values(filters.value).every((value) => value == null),
  );

  function onPage(event: DataTablePageEvent): void {
    first.value = event.first;
    pageSize.value = event.rows;
  }

  return { items, total, first, pageSize, search, loading, error, isEmpty, onPage, refetch, query };
}
