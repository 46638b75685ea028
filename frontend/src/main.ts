import { createApp } from 'vue';
import App from './App.vue';
import { session } from './api';
import { createAppRouter } from './router';
import './style.css';

createApp(App).use(createAppRouter(session)).mount('#app');
