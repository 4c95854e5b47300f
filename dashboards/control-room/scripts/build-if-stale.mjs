// Builds the dashboard (vite build) only when dist/ is missing or older than its sources, so
// `npm run demo` starts at once when nothing changed. Exit code: vite's.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'index.html');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

// scripts/: the build's own plugins (precompress.ts) shape dist/ too.
const sources = ['src', 'scripts', 'index.html', 'vite.config.ts', 'package.json']
  .map((p) => join(root, p))
  .filter(existsSync);
const sourceTime = Math.max(...sources.map(newest));
if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) process.exit(0);
process.stdout.write('building the dashboard (vite build) …\n');
const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
