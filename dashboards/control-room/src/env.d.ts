/// <reference types="vite/client" />

// Plain tsc (the type-aware linter) does not compile single-file components; vue-tsc resolves the
// real .vue files before this fallback applies.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
