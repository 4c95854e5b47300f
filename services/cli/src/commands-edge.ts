import { isEdgeError, loadEdgeConfig, startCollector } from '@hazardwatch/edge';
import type { CommandContext } from './commands.js';
import { parseCommandArgs } from './command-args.js';

/**
 * `hazardwatch edge --config edge.yaml`: the edge collector on a plant gateway (OPC-UA, Modbus TCP
 * and MQTT sources → disk spool → MQTT uplink). Runs until SIGINT/SIGTERM, then drains and says
 * goodbye (retained death) before exiting. Exit 2 on a configuration problem.
 */
export async function edgeCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
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
  let config;
  try {
    config = loadEdgeConfig(file);
  } catch (error) {
    if (isEdgeError(error, 'HW_EDGE_CONFIG_INVALID') || isEdgeError(error, 'HW_EDGE_CONFIG_PARSE')) {
      ctx.logger.fatal({ file, code: error.code, problems: error.data['issues'] }, error.message);
      return 2;
    }
    throw error;
  }
  const collector = await startCollector(config, { logger: ctx.logger });
  const signal = await ctx.stopSignal;
  ctx.logger.info({ signal }, 'stopping edge collector');
  await collector.close();
  return 0;
}
