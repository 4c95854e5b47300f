/**
 * The dashboard's one way to report trouble that the operator cannot act on (a failed refresh,
 * a refused subscription): to the browser console, with a constant message and a data object
 * (STYLE rule 11). Everything the operator must see goes to the screen instead.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  warn(data: Record<string, unknown>, message: string): void;
  error(data: Record<string, unknown>, message: string): void;
  info(data: Record<string, unknown>, message: string): void;
}

function emit(level: Level, component: string, data: Record<string, unknown>, message: string): void {
  /* eslint-disable no-console -- this wrapper is the single place the console is written */
  const line = { component, ...data };
  if (level === 'error') console.error(message, line);
  else if (level === 'warn') console.warn(message, line);
  else console.info(message, line);
  /* eslint-enable no-console */
}

export function logger(component: string): Logger {
  return {
    warn: (d, m) => emit('warn', component, d, m),
    error: (d, m) => emit('error', component, d, m),
    info: (d, m) => emit('info', component, d, m),
  };
}
