// Runs `npm ci` when node_modules does not match package-lock.json (a fresh clone, or a changed lock),
// so a Maven build does not reinstall every time. Exits with npm's status.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const lock = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const marker = 'node_modules/.agentic-lock-sha256';
if (existsSync(marker) && readFileSync(marker, 'utf8') === lock) {
  console.log('dashboard: node_modules matches package-lock.json');
  process.exit(0);
}
console.log('dashboard: npm ci');
const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
if (npm.status !== 0) {
  console.error('dashboard: npm ci failed (the npm registry must be reachable on the first build)');
  process.exit(npm.status ?? 1);
}
writeFileSync(marker, lock);
