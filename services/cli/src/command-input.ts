import { isSimulatorError } from '@hazardwatch/simulators';
import { InputError } from './errors.js';

/** What the file system says when a named file cannot be opened, in the user's terms. */
const UNREADABLE: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Loads a file named on the command line. A file that cannot be read, or that the simulators
 * refuse as a scenario or site (YAML, schema), becomes an InputError naming the file — the
 * command reports it and exits 2 instead of dying with a stack trace. Other failures pass.
 */
export async function loadCommandInput<T>(file: string, load: (file: string) => Promise<T>): Promise<T> {
  try {
    return await load(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code in UNREADABLE) {
      const path = (error as { path?: unknown }).path;
      throw new InputError(`cannot read ${typeof path === 'string' ? path : file}: ${UNREADABLE[code]}`);
    }
    if (
      isSimulatorError(error, 'HW_SIM_SCENARIO_PARSE') ||
      isSimulatorError(error, 'HW_SIM_SCENARIO_INVALID') ||
      isSimulatorError(error, 'HW_SIM_SITE_PARSE') ||
      isSimulatorError(error, 'HW_SIM_SITE_INVALID')
    ) {
      throw new InputError(`${file}: ${error.message}`);
    }
    throw error;
  }
}
