// Checks the k6 script without k6 (which cannot be installed here): Node parses it as an ES
// module with the k6 modules stubbed, evaluates its options for every SCENARIO x PROFILE, and runs
// each exported scenario function once against canned responses, so a syntax error, a k6 import
// that does not exist in the stubs, or a broken scenario fails this check.
//   node loadtest/k6/check-k6-script.mjs [path/to/agentic.js]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = process.argv[2] ?? path.join(here, 'agentic.js');
const source = readFileSync(script, 'utf8');

const stubs = {
  'k6/http': `
    const answers = [];
    function respond(url, body, params) {
      const req = JSON.parse(body);
      const accept = params?.headers?.Accept;
      globalThis.__k6calls.push({ url, req, params });
      if (accept === 'text/event-stream') {
        const frames = ['event: queued\\ndata: {"lane":"interactive"}', 'id: 1-0\\nevent: start\\ndata: {"worker":"w","attempt":1}',
          'id: 1-1\\nevent: token\\ndata: {"text":"sim0 "}', 'id: 1-2\\nevent: done\\ndata: {"usage":{},"finish_reason":"stop"}'];
        return { status: 200, body: frames.join('\\n\\n') + '\\n\\n', timings: { duration: 5 }, json: () => ({}) };
      }
      const m = /What is (\\d+) ?\\+ ?(\\d+)/.exec(req.query);
      const answer = m ? 'Expression: ' + m[1] + '+' + m[2] + '\\nResult: ' + (Number(m[1]) + Number(m[2])) : '';
      return { status: 200, body: JSON.stringify({ answer }), timings: { duration: 5 }, json: (k) => (k ? { answer }[k] : { answer }) };
    }
    export default { post: respond, get: () => ({ status: 200, body: '', timings: { duration: 1 } }) };
  `,
  k6: `
    export function check(value, checks) {
      for (const [name, fn] of Object.entries(checks)) {
        if (!fn(value)) globalThis.__k6failed.push(name);
      }
      return true;
    }
    export function sleep() {}
  `,
  'k6/metrics': `
    export class Counter { add() {} }
    export class Trend { add() {} }
    export class Rate { add() {} }
    export class Gauge { add() {} }
  `,
};
const dataUrl = (code) => 'data:text/javascript;base64,' + Buffer.from(code).toString('base64');

let rewritten = source;
for (const match of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
  const module = match[1];
  if (!(module in stubs)) throw new Error(`${script}: imports ${module}, which this check has no stub for`);
}
rewritten = rewritten.replace(/from\s+['"](k6[^'"]*)['"]/g, (_, module) => `from '${dataUrl(stubs[module])}'`);

async function load(env) {
  globalThis.__ENV = env;
  globalThis.__k6calls = [];
  globalThis.__k6failed = [];
  // a fresh module instance per environment: the query string makes the URL unique
  return import(dataUrl(rewritten + `\n// ${JSON.stringify(env)}`));
}

let checked = 0;
for (const SCENARIO of ['all', 'guide', 'json', 'sse']) {
  for (const PROFILE of ['ramp', 'steady', 'spike']) {
    const mod = await load({ SCENARIO, PROFILE, RATE: '20', DURATION: '10s', API_KEY: 'k' });
    assert.ok(mod.options?.scenarios, 'options.scenarios exported');
    for (const [name, scenario] of Object.entries(mod.options.scenarios)) {
      assert.equal(typeof mod[scenario.exec], 'function', `scenario ${name} runs exported function ${scenario.exec}`);
      assert.ok(scenario.executor, `scenario ${name} has an executor`);
      mod[scenario.exec]();
      checked++;
    }
    assert.deepEqual(globalThis.__k6failed, [], `checks failed against canned answers (${SCENARIO}/${PROFILE})`);
  }
}
const guide = (await load({ SCENARIO: 'guide' })).options.scenarios.guide;
assert.equal(Math.max(...guide.stages.map((s) => s.target)), 10, "the guide's test ramps to 10 users");
assert.ok(globalThis.__k6calls.length === 0);
const g = await load({ SCENARIO: 'guide', API_KEY: 'k' });
g.guideQuery();
assert.deepEqual(globalThis.__k6calls[0].req, { query: 'What is 2+2?', agent_type: 'math' }, "the guide's request body");
assert.ok(/p\(95\)<5000/.test(g.options.thresholds['http_req_duration{scenario:guide}'][0]), 'the guide expects under 5 s');
await assert.rejects(load({ PROFILE: 'nonsense' }), /unknown PROFILE/);
console.log(`k6 script OK: ${script} (${checked} scenario runs against stubs)`);
