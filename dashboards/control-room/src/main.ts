import 'leaflet/dist/leaflet.css';
import './styles.css';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n } from './i18n/index.js';
import { savedLocale } from './i18n/locale-store.js';

const locale = savedLocale();
document.documentElement.lang = locale;
createApp(App).use(createAppI18n(locale)).mount('#app');
