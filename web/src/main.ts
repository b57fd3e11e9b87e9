import { createApp } from 'vue';
import { DefaultApolloClient } from '@vue/apollo-composable';
import App from './App.vue';
import { apolloClient } from './apollo';
import { router } from './router';
import './style.css';

createApp(App).provide(DefaultApolloClient, apolloClient).use(router).mount('#app');
