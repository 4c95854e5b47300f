/**
 * node-opcua writes its own warnings and errors (node-opcua-debug: "Creating default certificate
 * ... please wait", the start-up self-check's "[NODE-OPCUA-W27] …") as coloured text lines on
 * stdout, in the middle of the collector's JSON log, where log shippers choke on them. Its
 * loggers are replaceable (setWarningLogger / setErrorLogger / setDebugLogger); this module
 * replaces them as soon as node-opcua is loaded through the edge package, and
 * `routeOpcuaLogs(logger)` sends them into the collector's pino logger as JSON
 * (`component: node-opcua`, the node-opcua file and line, the message without colour codes).
 *
 * node-opcua's loggers are process-wide, so the last collector started in a process receives
 * them. What node-opcua says before any collector started (its self-check runs at load) is kept,
 * bounded, and handed to the first logger bound.
 */
import { format, stripVTControlCharacters } from 'node:util';
import { setDebugLogger, setErrorLogger, setWarningLogger } from 'node-opcua';
import type { Logger } from 'pino';

type Level = 'debug' | 'warn' | 'error';

interface Entry {
  readonly level: Level;
  readonly where: { readonly module?: string; readonly line?: number };
  readonly msg: string;
}

/** Messages kept before a logger is bound. */
const EARLY_LIMIT = 100;
/** Per node-opcua call site, like node-opcua's own loggers: a repeating warning cannot flood the log. */
const PER_SITE_LIMIT = 100;

let target: Logger | undefined;
const early: Entry[] = [];
const perSite = new Map<string, number>();

function emit(e: Entry): void {
  if (target === undefined) {
    if (early.length < EARLY_LIMIT) early.push(e);
    return;
  }
  target[e.level](e.where, e.msg);
}

function printer(level: Level) {
  return (context?: unknown, ...args: unknown[]): void => {
    const c = (typeof context === 'object' && context !== null ? context : {}) as {
      filename?: unknown;
      callerline?: unknown;
    };
    const where = {
      ...(typeof c.filename === 'string' ? { module: c.filename } : {}),
      ...(typeof c.callerline === 'number' ? { line: c.callerline } : {}),
    };
    const site = `${where.module ?? ''}:${where.line ?? ''}`;
    const seen = (perSite.get(site) ?? 0) + 1;
    if (seen > PER_SITE_LIMIT) return;
    perSite.set(site, seen);
    const text = stripVTControlCharacters(format(...args)).trim();
    emit({
      level,
      where,
      msg: seen === PER_SITE_LIMIT ? `${text} (repeated ${PER_SITE_LIMIT} times; no more from here)` : text,
    });
  };
}

setWarningLogger(printer('warn'));
setErrorLogger(printer('error'));
setDebugLogger(printer('debug'));

/** Sends node-opcua's own log into `logger` from now on (and what it said before). */
export function routeOpcuaLogs(logger: Logger): void {
  target = logger.child({ component: 'node-opcua' });
  for (const e of early.splice(0)) emit(e);
}
