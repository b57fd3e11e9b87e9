import { computed } from 'vue';
import { currentUser } from './session';

/**
 * Whether the logged-in user may create and change recipients, messages and mailings: only
 * regular users do, each their own. Managers and admins read everyone's and change none
 * (the server's `isUser` rule), so pages offer them no create, edit or delete.
 */
export const mayEditOwnData = computed(() => currentUser.value?.role === 'USER');
