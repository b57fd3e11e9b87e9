import { createApp } from 'vue';
import { DefaultApolloClient } from '@vue/apollo-composable';
import PrimeVue from 'primevue/config';
import ToastService from 'primevue/toastservice';
import ConfirmationService from 'primevue/confirmationservice';
import Aura from '@primeuix/themes/aura';
import 'primeicons/primeicons.css';
import App from './App.vue';
import { apolloClient } from './graphql/client';
import { router } from './router';
import './style.css';

const app = createApp(App)
  .provide(DefaultApolloClient, apolloClient)
  .use(PrimeVue, { theme: { preset: Aura, options: { darkModeSelector: '.app-dark', cssLayer: { name: 'primevue', order: 'primevue' } } } })
  .use(ToastService)
  .use(ConfirmationService)
  .use(router);

// The first page is known (and the session asked for) before anything is drawn.
void router.isReady().then(() => app.mount('#app'));
