import {
  DEFAULT_OPCUA_PKI_DIR,
  isEdgeError,
  loadEdgeConfig,
  routeOpcuaLogs,
  startCollector,
  trustRejectedCertificate,
  type EdgeConfig,
} from '@hazardwatch/edge';
import type { CommandContext } from './commands.js';
import { parseCommandArgs } from './command-args.js';
import { UsageError } from './errors.js';

/**
 * `hazardwatch edge --config edge.yaml`: the edge collector on a plant gateway (OPC-UA, Modbus TCP
 * and MQTT sources → disk spool → MQTT uplink). Runs until SIGINT/SIGTERM, then drains and says
 * goodbye (retained death) before exiting. Exit 2 on a configuration problem.
 */
export async function edgeCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  if (args[0] === 'trust-server') return trustServerCommand(args.slice(1), ctx);
  const { values } = parseCommandArgs({
    args: [...args],
    options: { config: { type: 'string' }, 'log-level': { type: 'string' } },
    strict: true,
  });
  const file = values.config ?? ctx.env['HW_EDGE_CONFIG'];
  if (file === undefined) {
    ctx.logger.fatal('edge needs --config FILE (or HW_EDGE_CONFIG)');
    return 2;
  }
  const config = readConfig(file, ctx);
  if (config === undefined) return 2;
  const collector = await startCollector(config, { logger: ctx.logger });
  const signal = await ctx.stopSignal;
  ctx.logger.info({ signal }, 'stopping edge collector');
  await collector.close();
  return 0;
}

/** The validated config, or undefined after reporting why not (exit 2). */
function readConfig(file: string, ctx: CommandContext): EdgeConfig | undefined {
  try {
    return loadEdgeConfig(file);
  } catch (error) {
    if (isEdgeError(error, 'HW_EDGE_CONFIG_INVALID') || isEdgeError(error, 'HW_EDGE_CONFIG_PARSE')) {
      ctx.logger.fatal({ file, code: error.code, problems: error.data['issues'] }, error.message);
      return undefined;
    }
    throw error;
  }
}

/**
 * `hazardwatch edge trust-server --config edge.yaml [--source NAME] [--fingerprint HEX]`: trusts
 * the plant OPC-UA server certificate the source refused (docs/edge-collector.md, "Trusting the
 * server"): moves it from `pkiDir/rejected` to `pkiDir/trusted/certs` with node-opcua's own
 * certificate manager. A running collector uses it from its next connect attempt. Exit 1 when
 * there is no such certificate or several and no fingerprint chooses.
 */
async function trustServerCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      source: { type: 'string' },
      fingerprint: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const file = values.config ?? ctx.env['HW_EDGE_CONFIG'];
  if (file === undefined) throw new UsageError('edge trust-server needs --config FILE (or HW_EDGE_CONFIG)');
  const config = readConfig(file, ctx);
  if (config === undefined) return 2;
  const opcua = config.sources.filter(
    (s): s is Extract<EdgeConfig['sources'][number], { kind: 'opcua' }> => s.kind === 'opcua',
  );
  const chosen = values.source === undefined ? opcua : opcua.filter((s) => s.name === values.source);
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? values.source === undefined
          ? `no OPC-UA source in ${file}`
          : `no OPC-UA source named ${values.source} in ${file}`
        : `several OPC-UA sources in ${file}: choose one with --source (${opcua.map((s) => s.name).join(', ')})`,
    );
  }
  const source = chosen[0]!;
  const pkiDir = source.pkiDir ?? DEFAULT_OPCUA_PKI_DIR;
  // What node-opcua says while it handles the certificate goes to this command's JSON log.
  routeOpcuaLogs(ctx.logger);
  try {
    const trusted = await trustRejectedCertificate(pkiDir, values.fingerprint);
    ctx.logger.info(
      { source: source.name, pkiDir, certificate: trusted.file, fingerprint: trusted.fingerprint },
      'server certificate trusted',
    );
    return 0;
  } catch (error) {
    if (isEdgeError(error, 'HW_EDGE_TRUST_NONE') || isEdgeError(error, 'HW_EDGE_TRUST_AMBIGUOUS')) {
      ctx.logger.error({ source: source.name, code: error.code, ...error.data }, error.message);
      return 1;
    }
    throw error;
  }
}
