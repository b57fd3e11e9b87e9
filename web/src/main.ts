import { createApp } from 'vue';
import { DefaultApolloClient } from '@vue/apollo-composable';
import PrimeVue from 'primevue/config';
import ToastService from 'primevue/toastservice';
import ConfirmationService from 'primevue/confirmationservice';
import Aura from '@primeuix/themes/aura';
import { z } from 'zod';
import 'primeicons/primeicons.css';
import App from './App.vue';
import { apolloClient } from './graphql/client';
import { router } from './router';
import './style.css';

// The content security policy forbids eval: zod must not even probe for it (the probe is reported as a violation).
z.config({ jitless: true });

// The page's CSP nonce (the server's, see vite.config.ts): PrimeVue puts it on the <style> tags it adds.
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce;

const app = createApp(App)
  .provide(DefaultApolloClient, apolloClient)
  .use(PrimeVue, { theme: { preset: Aura, options: { darkModeSelector: '.app-dark', cssLayer: { name: 'primevue', order: 'primevue' } } }, csp: { nonce } })
  .use(ToastService)
  .use(ConfirmationService)
  .use(router);

// The first page is known (and the session asked for) before anything is drawn.
void router.isReady().then(() => app.mount('#app'));
