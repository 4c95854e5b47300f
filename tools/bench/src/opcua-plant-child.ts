/**
 * Child process of `bench edge`: an OPC-UA plant server with N tags that all change once a second,
 * in its own process so the benchmark measures the collector's CPU alone.
 * argv: <tags> <pkiDir>. Sends `{ endpointUrl, nodeIds }` over IPC when listening; stops on 'stop'.
 */
import { pino } from 'pino';
import { startPlantOpcuaServer } from '@hazardwatch/simulators/opcua';

const count = Number(process.argv[2] ?? '10000');
const pkiDir = process.argv[3];
const tags = Array.from({ length: count }, (_, i) => ({
  site: 'BENCH',
  unit: `U${Math.floor(i / 1000)}`,
  tag: `T${i}`,
}));
const server = await startPlantOpcuaServer({
  tags,
  logger: pino({ level: 'silent' }),
  ...(pkiDir ? { pkiDir } : {}),
});
const timer = setInterval(() => {
  const ts = Date.now();
  server.setValues(tags.map((t, i) => ({ tag: t.tag, ts, value: 50 + 10 * Math.sin(ts / 60_000 + i) })));
}, 1000);
process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  void server.stop().then(() => process.exit(0));
});
process.send?.({ endpointUrl: server.endpointUrl, nodeIds: tags.map((t) => server.nodeIdOf(t.tag)) });
