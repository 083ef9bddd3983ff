// Where the queue hop goes under a burst: N `general` SSE queries released together through the
// stack's front door, each split into its stages by the times Redis stamped on the request's event
// log (stream entry ids are Redis's clock in ms; this client runs on the same machine's clock):
//
//   intake   client sent              -> `queued` written by the ingress (auth, limits, admission, enqueue)
//   pickup   `queued`                 -> `start` written by the worker (lane read, begin attempt)
//   llm      `start`                  -> first `token` in the log (the LLM call; minus the simulator's TTFT = worker overhead)
//   relay    first `token` in the log -> first token read by this client (pub/sub, ingress, Nginx)
//
//   node loadtest/ab/hop-breakdown.mjs URL KEY STREAMS REDIS_PORT [ROUNDS] [RUN_DIR]
//
// One unmeasured round first (connections, JIT), then ROUNDS measured ones (default 3). With the
// stack's run directory (bin/agentic's AGENTIC_RUN_DIR) it also prints the CPU each of the stack's
// processes (and this client) spent per stream in the round, from /proc/PID/stat.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const [url, key, streamsArg, redisPort, roundsArg, runDir] = process.argv.slice(2);
if (!url || !key || !streamsArg || !redisPort) {
  console.error('usage: hop-breakdown.mjs URL KEY STREAMS REDIS_PORT [ROUNDS]');
  process.exit(2);
}
const streams = Number(streamsArg);
const rounds = Number(roundsArg ?? 3);

async function one(n) {
  const sent = Date.now();
  const response = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${key}`,
      'Content-Type': 'application/json',
      Accept: 'text/event-stream',
      'Cache-Control': 'no-cache',
    },
    body: JSON.stringify({ query: `hop ${n} ${Math.random()}`, agent_type: 'general' }),
  });
  const id = response.headers.get('x-request-id');
  if (response.status !== 200 || !id) {
    await response.text();
    return { status: response.status };
  }
  const decoder = new TextDecoder();
  let text = '';
  let firstToken = 0;
  for await (const chunk of response.body) {
    text += decoder.decode(chunk, { stream: true });
    if (!firstToken && text.includes('event: token')) firstToken = Date.now();
  }
  return { status: 200, id, sent, firstToken, done: text.includes('event: done') };
}

function logTimes(id) {
  const out = execFileSync('redis-cli', ['-p', redisPort, '--no-raw', 'XRANGE', `agentic:events:{${id}}`, '-', '+'], {
    encoding: 'utf8',
  });
  // --no-raw prints: 1) 1) "1700000000000-0" 2) 1) "type" 2) "queued" ...
  const times = {};
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = lines[i].match(/"(\d+)-\d+"/);
    if (!entry) continue;
    const type = lines[i + 2]?.match(/"([a-z_]+)"/)?.[1];
    if (type && !(type in times)) times[type] = Number(entry[1]);
  }
  return times;
}

const ticksPerMs = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) / 1000;

/** CPU ms by process name (utime + stime, children included), for the pids in RUN_DIR/pids. */
function cpuByProcess() {
  const cpu = { client: (process.cpuUsage().user + process.cpuUsage().system) / 1000 };
  if (!runDir) return cpu;
  for (const file of readdirSync(`${runDir}/pids`).filter((name) => name.endsWith('.pid'))) {
    const pid = readFileSync(`${runDir}/pids/${file}`, 'utf8').trim();
    let children = [];
    try {
      children = execFileSync('pgrep', ['-P', pid], { encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch {
      // no children (pgrep exits 1)
    }
    let ms = 0;
    for (const one of [pid, ...children]) {
      try {
        const f = readFileSync(`/proc/${one}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
        ms += (Number(f[11]) + Number(f[12])) / ticksPerMs;
      } catch {
        // a process that has ended: not counted
      }
    }
    cpu[file.replace(/\.pid$/, '')] = ms;
  }
  return cpu;
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

for (let round = 0; round <= rounds; round++) {
  const cpuBefore = cpuByProcess();
  const results = await Promise.all(Array.from({ length: streams }, (_, n) => one(n)));
  const cpuAfter = cpuByProcess();
  const ok = results.filter((r) => r.status === 200 && r.firstToken && r.done);
  if (round === 0) {
    console.log(`warm-up: ${ok.length}/${streams} streams done`);
    continue;
  }
  const stages = { intake: [], pickup: [], llm: [], relay: [], ttft: [] };
  for (const r of ok) {
    const t = logTimes(r.id);
    if (!t.queued || !t.start || !t.token) continue;
    stages.intake.push(t.queued - r.sent);
    stages.pickup.push(t.start - t.queued);
    stages.llm.push(t.token - t.start);
    stages.relay.push(r.firstToken - t.token);
    stages.ttft.push(r.firstToken - r.sent);
  }
  const statuses = {};
  results.forEach((r) => (statuses[r.status] = (statuses[r.status] ?? 0) + 1));
  const line = Object.entries(stages)
    .map(([name, v]) => `${name} p50 ${quantile(v, 0.5)} p99 ${quantile(v, 0.99)} ms`)
    .join(' | ');
  console.log(`round ${round}: ${stages.ttft.length}/${streams} measured, statuses ${JSON.stringify(statuses)}: ${line}`);
  const cpu = Object.keys(cpuAfter)
    .filter((name) => name in cpuBefore)
    .map((name) => `${name} ${((cpuAfter[name] - cpuBefore[name]) / streams).toFixed(2)}`)
    .join(', ');
  console.log(`  CPU ms per stream (whole round, every stream to its end): ${cpu}`);
}
