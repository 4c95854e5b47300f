import { defineErrors, HazardWatchError } from '@hazardwatch/kit';

/** Error registry of the hazardwatch command line (STYLE rule 4). */
export const cliErrors = defineErrors('HW_CLI', {
  HW_CLI_CONFIG_INVALID: {
    template: 'invalid configuration:\n  - {problemList}',
    retryable: false,
  },
  HW_CLI_USAGE: {
    template: '{problem}',
    retryable: false,
  },
  HW_CLI_INPUT: {
    template: '{problem}',
    retryable: false,
  },
  HW_CLI_PORT_IN_USE: {
    template: 'port {port} is already in use ({what}, {setting}, on {host}): nothing was started or stored',
    retryable: true,
  },
  HW_CLI_EMBEDDED_UNAVAILABLE: {
    template:
      'set {settings}: this installation has no embedded {servers} to start instead (a production install carries no devDependencies)',
    retryable: false,
  },
});

/**
 * Start-up configuration is wrong (unknown key, bad value, invalid site file): the process
 * refuses to start and says which key; retrying without a change cannot help.
 */
export class ConfigError extends HazardWatchError<'HW_CLI_CONFIG_INVALID'> {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    const base = cliErrors.create('HW_CLI_CONFIG_INVALID', {
      problemList: problems.join('\n  - '),
      problems,
    });
    super(base.code, base.message, base.data, base.retryable);
  }
}

/**
 * The command line itself is wrong (unknown option, a number that is not one): the command
 * prints the problem and the usage and exits 2, without starting anything.
 */
export class UsageError extends HazardWatchError<'HW_CLI_USAGE'> {
  override readonly name = 'UsageError';
  constructor(readonly problem: string) {
    const base = cliErrors.create('HW_CLI_USAGE', { problem });
    super(base.code, base.message, base.data, base.retryable);
  }
}

/**
 * A file named on the command line cannot be read or is not what it should be (a missing
 * scenario, a site file that is not YAML): the command says which file and why and exits 2,
 * before it starts any database or broker.
 */
export class InputError extends HazardWatchError<'HW_CLI_INPUT'> {
  override readonly name = 'InputError';
  constructor(readonly problem: string) {
    const base = cliErrors.create('HW_CLI_INPUT', { problem });
    super(base.code, base.message, base.data, base.retryable);
  }
}

/**
 * A port the command must listen on is taken (another HazardWatch, another program): found before
 * anything is started or stored (issue 17 item 11). Retrying helps once the port is free.
 */
export class PortInUseError extends HazardWatchError<'HW_CLI_PORT_IN_USE'> {
  override readonly name = 'PortInUseError';
  constructor(
    readonly claim: {
      readonly what: string;
      readonly setting: string;
      readonly host: string;
      readonly port: number;
    },
    options?: { cause?: unknown },
  ) {
    const base = cliErrors.create('HW_CLI_PORT_IN_USE', { ...claim });
    super(base.code, base.message, base.data, base.retryable, undefined, options);
  }
}
