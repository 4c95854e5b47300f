import './styles.css';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n } from './i18n/index.js';
import { savedLocale } from './i18n/locale-store.js';

// A view's chunk (App.vue loads the map and the charts on demand) that no longer exists after a
// deploy replaced the build: load the new build once, rather than leave the view blank. The
// guard stops a loop when the chunk is missing for another reason.
window.addEventListener('vite:preloadError', (event) => {
  const key = 'hw.chunkReload';
  const last = Number(sessionStorage.getItem(key) ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem(key, String(Date.now()));
  event.preventDefault();
  location.reload();
});

const locale = savedLocale();
document.documentElement.lang = locale;
createApp(App).use(createAppI18n(locale)).mount('#app');
