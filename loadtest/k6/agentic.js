// k6 load test of the Agentic Backend: the same scenarios as the Gatling simulation
// (loadtest/gatling), plus the original guide's own test.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e API_KEY=$(cat .run/admin-key) loadtest/k6/agentic.js
//   k6 run -e SCENARIO=guide ...          only the original guide's test
//   k6 run -e SCENARIO=json -e PROFILE=spike -e RATE=50 -e DURATION=60s ...
//
// Environment: BASE_URL [http://127.0.0.1:8080], API_KEY (required by the API), SCENARIO
// (guide | json | sse | all [all]), PROFILE (ramp | steady | spike [ramp]), RATE (requests per
// second at the plateau [10]), DURATION (plateau [30s]), MAX_VUS [200].
// k6 has no streaming reader: the SSE scenario reads each stream to its end and checks it there
// (every event arrives in the body, so no event can be missed before a check is set).
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const API_KEY = __ENV.API_KEY || '';
const SCENARIO = __ENV.SCENARIO || 'all';
const PROFILE = __ENV.PROFILE || 'ramp';
const RATE = Number(__ENV.RATE || 10);
const DURATION = __ENV.DURATION || '30s';
const MAX_VUS = Number(__ENV.MAX_VUS || 200);

const streamsComplete = new Counter('agentic_streams_complete');
const streamTokens = new Trend('agentic_stream_tokens');

// The original guide's test: POST /api/v1/query {"query":"What is 2+2?","agent_type":"math"},
// 200 within 5 s, ramped to 10 users.
const guide = {
  executor: 'ramping-vus',
  exec: 'guideQuery',
  startVUs: 0,
  stages: [
    { duration: '30s', target: 10 },
    { duration: '1m', target: 10 },
    { duration: '10s', target: 0 },
  ],
};

// Open-loop arrival profiles for the JSON and SSE scenarios.
function profile(exec) {
  const common = { exec, timeUnit: '1s', preAllocatedVUs: Math.min(MAX_VUS, Math.max(1, RATE)), maxVUs: MAX_VUS };
  switch (PROFILE) {
    case 'steady':
      return { ...common, executor: 'constant-arrival-rate', rate: RATE, duration: DURATION };
    case 'spike':
      return {
        ...common,
        executor: 'ramping-arrival-rate',
        startRate: Math.max(1, Math.floor(RATE / 5)),
        stages: [
          { duration: '10s', target: Math.max(1, Math.floor(RATE / 5)) },
          { duration: '5s', target: RATE * 5 },
          { duration: DURATION, target: RATE * 5 },
          { duration: '5s', target: Math.max(1, Math.floor(RATE / 5)) },
          { duration: '10s', target: Math.max(1, Math.floor(RATE / 5)) },
        ],
      };
    case 'ramp':
      return {
        ...common,
        executor: 'ramping-arrival-rate',
        startRate: 1,
        stages: [
          { duration: '20s', target: RATE },
          { duration: DURATION, target: RATE },
          { duration: '10s', target: 0 },
        ],
      };
    default:
      throw new Error(`unknown PROFILE ${PROFILE} (ramp | steady | spike)`);
  }
}

const all = { guide, json: profile('jsonQuery'), sse: profile('sseQuery') };
if (SCENARIO !== 'all' && !(SCENARIO in all)) {
  throw new Error(`unknown SCENARIO ${SCENARIO} (guide | json | sse | all)`);
}

export const options = {
  scenarios: SCENARIO === 'all' ? all : { [SCENARIO]: all[SCENARIO] },
  thresholds: {
    'http_req_duration{scenario:guide}': ['p(95)<5000'],
    checks: ['rate>0.99'],
  },
};

function headers(accept) {
  const h = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' };
  if (API_KEY) h.Authorization = `Bearer ${API_KEY}`;
  if (accept) h.Accept = accept;
  return h;
}

export function guideQuery() {
  const res = http.post(`${BASE_URL}/api/v1/query`, JSON.stringify({ query: 'What is 2+2?', agent_type: 'math' }), {
    headers: headers(),
    timeout: '10s',
  });
  check(res, {
    'guide: status 200': (r) => r.status === 200,
    'guide: under 5 s': (r) => r.timings.duration < 5000,
    'guide: answer 4': (r) => r.status === 200 && /Result: 4\b/.test(r.json('answer')),
  });
  sleep(1);
}

export function jsonQuery() {
  const a = Math.floor(Math.random() * 1000);
  const res = http.post(`${BASE_URL}/api/v1/query`, JSON.stringify({ query: `What is ${a} + 2?`, agent_type: 'math' }), {
    headers: headers(),
    timeout: '30s',
  });
  check(res, {
    'json: status 200': (r) => r.status === 200,
    'json: right answer': (r) => r.status === 200 && r.json('answer').includes(`Result: ${a + 2}`),
  });
}

/** The SSE frames of a body: [{id, event, data}]. */
export function parseEvents(body) {
  const events = [];
  for (const frame of String(body).split(/\r?\n\r?\n/)) {
    const event = { id: null, event: 'message', data: '' };
    for (const line of frame.split(/\r?\n/)) {
      if (line.startsWith('id:')) event.id = line.slice(3).trim();
      else if (line.startsWith('event:')) event.event = line.slice(6).trim();
      else if (line.startsWith('data:')) event.data += line.slice(line.startsWith('data: ') ? 6 : 5);
    }
    if (event.data) events.push(event);
  }
  return events;
}

export function sseQuery() {
  const res = http.post(`${BASE_URL}/api/v1/query`, JSON.stringify({ query: 'Tell me about queues', agent_type: 'general' }), {
    headers: headers('text/event-stream'),
    timeout: '120s',
  });
  const events = res.status === 200 ? parseEvents(res.body) : [];
  const terminals = events.filter((e) => e.event === 'done' || e.event === 'error');
  const tokens = events.filter((e) => e.event === 'token');
  check(res, {
    'sse: status 200': (r) => r.status === 200,
    'sse: starts with queued': () => events.length > 0 && events[0].event === 'queued',
    'sse: exactly one terminal, done': () => terminals.length === 1 && terminals[0].event === 'done',
    'sse: has tokens': () => tokens.length > 0,
  });
  if (terminals.length === 1 && terminals[0].event === 'done') streamsComplete.add(1);
  streamTokens.add(tokens.length);
}
