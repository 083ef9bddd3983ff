#!/usr/bin/env node
// Browser test of the dashboard against a running stack (bin/agentic up), with the system's
// Chromium through playwright-core. Not part of `npm test`: it needs the whole stack.
//
// Environment:
//   DASHBOARD_URL      e.g. http://127.0.0.1:8080/dashboard/ (required)
//   ADMIN_KEY          an admin API key (required)
//   AGENTIC_CLI        path to bin/agentic, run as `scale workers $SCALE_TO` (required by "scale")
//   SCALE_TO           the worker count to scale to (default 3; must differ from the current one)
//   SCREENSHOT_DIR     where the screenshots go (default ./target/browser-screenshots)
//   CHROMIUM           the browser (default /usr/bin/chromium)
//   DEAD_LETTER_ENTRY  the entry id of a dead letter the caller wrote (with a readable job)
//   LONG_AGENT         agent for the cancel and resume scenarios (default general)
//   LONG_QUERY         a query whose answer streams for a few seconds at least
//   RATE_AGENT         agent of the rate-limit burst (default math), RATE_QUERY its text (1+1)
//   SCALE_TIMEOUT_MS   how long after the CLI returns the page may take to show the count (60000)
//
// Prints "ok - <name>" or "not ok - <name>: <reason>" per scenario and a closing
// "N passed, N failed"; exits 1 when any failed.

import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const env = process.env;

const BASE = env.DASHBOARD_URL;
const ADMIN_KEY = env.ADMIN_KEY;
const CLI = env.AGENTIC_CLI;
const SCALE_TO = Number.parseInt(env.SCALE_TO || '3', 10);
const SHOTS = env.SCREENSHOT_DIR || path.resolve('target/browser-screenshots');
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const DEAD_LETTER_ENTRY = env.DEAD_LETTER_ENTRY;
const LONG_AGENT = env.LONG_AGENT || 'general';
const LONG_QUERY =
  env.LONG_QUERY || 'Write a long, detailed essay on the history of computing, from the abacus to the cloud.';
const RATE_AGENT = env.RATE_AGENT || 'math';
const RATE_QUERY = env.RATE_QUERY || '1+1';
const SCALE_TIMEOUT_MS = Number.parseInt(env.SCALE_TIMEOUT_MS || '60000', 10);
const WRONG_KEY = 'agk_00000000000000ff_this-key-does-not-exist-for-the-dashboard-test';
const RESUME_STORAGE_KEY = 'agentic.dashboard.stream';

if (!BASE || !ADMIN_KEY) {
  console.log('not ok - setup: DASHBOARD_URL and ADMIN_KEY must be set');
  process.exit(1);
}
const ORIGIN = new URL(BASE).origin;
const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

// ---------------------------------------------------------------------------------------------
// Small helpers

class Failure extends Error {}
const fail = (msg) => {
  throw new Failure(msg);
};
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (async, returns a truthy value when done) until it is truthy or the time is up. */
async function until(probe, timeoutMs, what, intervalMs = 150) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      if (err instanceof Failure) throw err; // the probe saw a definite failure
      last = err;
    }
    if (Date.now() > end) {
      const extra = last instanceof Error ? ` (last error: ${last.message})` : '';
      fail(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${extra}`);
    }
    await delay(intervalMs);
  }
}

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

let page;
let context;
let browser;
let passed = 0;
let failedCount = 0;
let abortRun = false;
let current = 'setup';

async function scenario(name, fn, { critical = false } = {}) {
  if (abortRun) {
    console.log(`not ok - ${name}: skipped, an earlier critical scenario failed`);
    failedCount++;
    return;
  }
  current = name;
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failedCount++;
    const reason = err instanceof Failure ? err.message : `${err?.name || 'Error'}: ${err?.message || err}`;
    console.log(`not ok - ${name}: ${reason.split('\n')[0]}`);
    if (!(err instanceof Failure) && err?.stack) console.error(err.stack);
    try {
      const file = path.join(SHOTS, `failure-${slug(name)}.png`);
      await page?.screenshot({ path: file, fullPage: true });
      console.log(`# screenshot of the failure: ${file}`);
    } catch {
      /* no screenshot */
    }
    if (critical) abortRun = true;
    // A dialog left open by the failure would hold up the next scenarios' clicks.
    await page?.keyboard.press('Escape').catch(() => {});
  }
}

const byTestId = (id) => page.getByTestId(id);

async function text(id) {
  return ((await byTestId(id).first().textContent({ timeout: 5000 })) || '').trim();
}

async function visible(id, timeout = 15000) {
  await byTestId(id).first().waitFor({ state: 'visible', timeout });
}

async function go(view) {
  await byTestId(`nav-${view}`).click();
  await until(
    async () => (await byTestId(`nav-${view}`).getAttribute('aria-current')) === 'page',
    10000,
    `the ${view} view to open`,
  );
}

async function streamStatus() {
  return text('stream-status');
}

/** Waits until the Playground's status is one of `wanted` (fails early on any other end state). */
async function waitStatus(wanted, timeoutMs, context) {
  const ends = ['done', 'cancelled'];
  let seen = '';
  await until(
    async () => {
      seen = await streamStatus();
      if (wanted.includes(seen)) return true;
      if ((ends.includes(seen) || seen.startsWith('error')) && !wanted.includes(seen)) {
        fail(`${context}: the stream ended with "${seen}", expected ${wanted.join(' or ')}`);
      }
      return false;
    },
    timeoutMs,
    `stream-status to become ${wanted.join(' or ')} (${context}; last "${seen}")`,
  );
  return seen;
}

async function api(method, p, body) {
  const res = await page.request.fetch(`${ORIGIN}${p}`, {
    method,
    headers: { ...auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    data: body ? JSON.stringify(body) : undefined,
    timeout: 30000,
    failOnStatusCode: false,
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    /* not JSON */
  }
  return { status: res.status(), json };
}

function runCli(args) {
  return new Promise((resolve) => {
    execFile(CLI, args, { env: process.env, timeout: 300000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, error, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What the page must not do (scenario 7): console errors, page errors, failed requests, 5xx,
// unexpected 4xx, CSP violations. Expected 4xx are allowed by method, path and status.

const problems = [];
const cspViolations = [];
const notes = [];
const expected4xx = []; // { method, path: RegExp, status, remaining }: allowed answers of the page

function isApi(url) {
  try {
    const u = new URL(url);
    return u.origin === ORIGIN && u.pathname.startsWith('/api/');
  } catch {
    return false;
  }
}

function watch(p) {
  p.on('console', (msg) => {
    const t = msg.text();
    if (/Content Security Policy/i.test(t)) {
      cspViolations.push(t);
      return;
    }
    if (msg.type() !== 'error') return;
    const m = /Failed to load resource: the server responded with a status of (\d{3})/.exec(t);
    if (m) {
      const url = msg.location()?.url || '';
      const pathname = isApi(url) ? new URL(url).pathname : null;
      if (pathname && expected4xx.some((e) => e.status === Number(m[1]) && e.path.test(pathname))) return;
    }
    problems.push(`console error: ${t}${msg.location()?.url ? ` (${msg.location().url})` : ''}`);
  });
  p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  p.on('requestfailed', (req) => {
    const why = req.failure()?.errorText || 'unknown';
    // Streams and polls the page ends itself (reload, sign-out, leaving a view) are aborted.
    if (why === 'net::ERR_ABORTED' && isApi(req.url())) {
      notes.push(`aborted by the page during "${current}": ${req.method()} ${new URL(req.url()).pathname}`);
      return;
    }
    problems.push(`request failed: ${req.method()} ${req.url()}: ${why}`);
  });
  p.on('response', (res) => {
    const status = res.status();
    if (status < 400) return;
    const req = res.request();
    const pathname = new URL(res.url()).pathname;
    const allowed = expected4xx.find((e) => e.remaining > 0 && e.status === status && e.method === req.method() && e.path.test(pathname));
    if (status < 500 && allowed) {
      allowed.remaining--;
      return;
    }
    problems.push(`HTTP ${status} for ${req.method()} ${res.url()}`);
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
  // Records CSP violations also when no console line is printed for them.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  watch(page);

  await scenario(
    'sign-in: a wrong key is refused, the admin key is accepted',
    async () => {
      const response = await page.goto(BASE, { waitUntil: 'load' });
      if (!response || !response.ok()) fail(`GET ${BASE} answered ${response?.status()}`);
      const csp = response.headers()['content-security-policy'];
      if (!csp) fail(`the dashboard page has no Content-Security-Policy header`);
      if (/unsafe-inline|unsafe-eval/.test(csp)) fail(`the CSP allows unsafe-inline/unsafe-eval: ${csp}`);
      await visible('sign-in-form');
      expected4xx.push({ method: 'GET', path: /^\/api\/v1\/me$/, status: 401, remaining: 1 });
      await byTestId('api-key').fill(WRONG_KEY);
      await byTestId('sign-in').click();
      await visible('sign-in-error');
      const alert = await text('sign-in-error');
      if (!/invalid api key/i.test(alert)) fail(`the alert says "${alert}", expected "Invalid API key"`);
      if ((await byTestId('sign-in-error').getAttribute('role')) !== 'alert') fail('the error has no role="alert"');
      await byTestId('api-key').fill(ADMIN_KEY);
      await byTestId('remember').check();
      await byTestId('sign-in').click();
      await until(
        async () => {
          if (await byTestId('nav-queue').isVisible()) return true;
          if (await byTestId('sign-in-error').isVisible()) fail(`ADMIN_KEY was refused: "${await text('sign-in-error')}"`);
          return false;
        },
        20000,
        'the signed-in views',
      );
      if (!(await byTestId('nav-queue').isVisible())) fail('ADMIN_KEY signs in without the operator views (not an admin key?)');
      for (const v of ['queue', 'workers', 'dead-letters', 'requests', 'charts', 'admission', 'keys', 'playground']) {
        if (!(await byTestId(`nav-${v}`).isVisible())) fail(`an admin should see the ${v} view`);
      }
      const who = await text('whoami');
      if (!/admin/.test(who)) fail(`whoami shows "${who}", expected the admin role`);
      const inUrl = page.url().includes(ADMIN_KEY) || page.url().includes(encodeURIComponent(ADMIN_KEY));
      if (inUrl) fail('the API key is in the URL');
      const inLocal = await page.evaluate((k) => Object.keys(localStorage).some((n) => localStorage.getItem(n)?.includes(k)), ADMIN_KEY);
      if (inLocal) fail('the API key is in localStorage');
    },
    { critical: true },
  );

  await scenario('playground: a math answer streams, a general query is cancelled', async () => {
    await go('playground');
    await byTestId('agent-select').selectOption('math');
    await byTestId('query-input').fill('What is 2+2?');
    // Records whether the answer had text while the status still said "streaming".
    await page.evaluate(() => {
      window.__sawTokenWhileStreaming = false;
      const check = () => {
        const a = document.querySelector('[data-testid="answer"]');
        const s = document.querySelector('[data-testid="stream-status"]');
        if (a && s && a.textContent.trim() && s.textContent.trim() === 'streaming') window.__sawTokenWhileStreaming = true;
      };
      window.__tokenObserver?.disconnect();
      window.__tokenObserver = new MutationObserver(check);
      window.__tokenObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await byTestId('send').click();
    await waitStatus(['done'], 60000, 'math query');
    const answer = await text('answer');
    if (!answer) fail('the math answer is empty');
    if (!/4/.test(answer)) fail(`the math answer "${answer}" does not contain 4`);
    const saw = await page.evaluate(() => window.__sawTokenWhileStreaming);
    const firstTokenSeq = Number(await byTestId('answer').getAttribute('data-first-token-seq'));
    const doneSeq = Number(await page.locator('[data-testid="events"] li[data-event="done"]').last().getAttribute('data-seq'));
    if (!saw && !(firstTokenSeq > 0 && firstTokenSeq < doneSeq)) {
      fail(`no token was seen before done (first token #${firstTokenSeq}, done #${doneSeq})`);
    }
    notes.push(saw ? 'math: answer text visible while streaming' : `math: first token event #${firstTokenSeq} before done #${doneSeq} (same chunk)`);
    await page.screenshot({ path: path.join(SHOTS, 'playground.png') });

    await byTestId('agent-select').selectOption(LONG_AGENT);
    await byTestId('query-input').fill(LONG_QUERY);
    await byTestId('send').click();
    await until(async () => (await byTestId('cancel').isEnabled()) || (await streamStatus()) !== 'streaming', 30000, 'the Cancel button to be enabled');
    const before = await streamStatus();
    if (before !== 'streaming') fail(`the ${LONG_AGENT} query ended ("${before}") before it could be cancelled; set LONG_QUERY/LONG_AGENT to a longer answer`);
    await byTestId('cancel').click();
    await waitStatus(['cancelled'], 30000, `cancelling the ${LONG_AGENT} query (if it finished first, set a longer LONG_QUERY/LONG_AGENT)`);
    if (!(await page.locator('[data-testid="events"] li[data-event="error"]').count())) fail('no error event was listed for the cancel');
  });

  await scenario('resume: a stream continues after a reload, without duplicates', async () => {
    await go('playground');
    await byTestId('agent-select').selectOption(LONG_AGENT);
    await byTestId('query-input').fill(LONG_QUERY);
    await byTestId('send').click();
    const record = await until(
      async () => {
        const status = await streamStatus();
        if (status !== 'streaming') fail(`the ${LONG_AGENT} query ended ("${status}") before the reload; set LONG_QUERY/LONG_AGENT to a longer answer`);
        const r = await page.evaluate((k) => JSON.parse(sessionStorage.getItem(k) || 'null'), RESUME_STORAGE_KEY);
        return r && r.requestId && r.lastEventId && r.text ? r : null;
      },
      30000,
      'the first tokens and a saved resume point',
      50,
    );
    if (JSON.stringify(record).includes(ADMIN_KEY)) fail('the resume record holds the API key');
    await page.reload({ waitUntil: 'load' });
    const requestId = record.requestId;
    await until(
      async () => {
        if (await byTestId('resume-notice').count()) return /Resum/.test(await text('resume-notice'));
        if (await byTestId('sign-in-form').count()) fail('the page asks to sign in again although "Remember in this tab" was ticked');
        const s = (await byTestId('stream-status').count()) ? await streamStatus() : '';
        if (s === 'idle') fail('no resume after the reload (the stream may have ended before it; use a longer LONG_QUERY)');
        return false;
      },
      20000,
      'the "Resuming" notice',
    );
    const shownId = await text('request-id');
    if (shownId !== requestId) fail(`the page resumed ${shownId}, not ${requestId}`);
    await waitStatus(['done'], 120000, 'the resumed stream');
    const finalText = await byTestId('answer').textContent();
    const server = await api('GET', `/api/v1/queries/${encodeURIComponent(requestId)}`);
    if (server.status !== 200) fail(`GET /api/v1/queries/${requestId} answered ${server.status}`);
    if (typeof server.json?.answer === 'string') {
      if (finalText !== server.json.answer) {
        fail(`the page's answer (${finalText.length} chars) differs from the server's (${server.json.answer.length} chars): page starts "${finalText.slice(0, 60)}", server "${server.json.answer.slice(0, 60)}"`);
      }
    } else {
      if (!finalText.startsWith(record.text)) fail('the final text does not start with the text held before the reload');
      if (record.text && finalText.startsWith(record.text + record.text)) fail('the text before the reload is duplicated');
    }
    const left = await page.evaluate((k) => sessionStorage.getItem(k), RESUME_STORAGE_KEY);
    if (left) fail('the resume record is still stored after the terminal event');
  });

  await scenario('dead letters: retry with confirmation removes the letter', async () => {
    const list = async () => {
      const r = await api('GET', '/api/v1/admin/dead-letters?count=100');
      if (r.status !== 200) fail(`GET dead-letters answered ${r.status}`);
      return Array.isArray(r.json?.dead_letters) ? r.json.dead_letters : [];
    };
    // The test seeds a letter as a worker writes one after a job's last delivery (a real one takes
    // a worker crashing on the same job max-deliveries times).
    const id = DEAD_LETTER_ENTRY;
    if (!id) fail('DEAD_LETTER_ENTRY is not set');
    if (!(await list()).some((l) => l.entry_id === id)) fail(`GET dead-letters does not list ${id}`);
    await go('dead-letters');
    await until(
      async () => {
        if (await byTestId(`dead-letter-${id}`).count()) return true;
        await byTestId('dead-letters-refresh').click();
        return false;
      },
      30000,
      `the row dead-letter-${id}`,
      1000,
    );
    await byTestId(`inspect-${id}`).click();
    await visible('dead-letter-job', 5000);
    await byTestId(`retry-${id}`).click();
    await visible('confirm-dialog', 5000);
    if (!(await byTestId(`dead-letter-${id}`).count())) fail('the row left before the retry was confirmed');
    await byTestId('confirm').click();
    await byTestId(`dead-letter-${id}`).waitFor({ state: 'detached', timeout: 30000 });
    const notice = await text('dead-letter-notice');
    if (!/Retried/.test(notice)) fail(`no confirmation of the retry, notice: "${notice}"`);
    await byTestId('confirm-dialog').waitFor({ state: 'hidden', timeout: 10000 });
    // The retried job runs again as a new request, through the real queue and a worker.
    const retried = /request ([0-9a-f-]{36})/.exec(notice)?.[1];
    if (!retried) fail(`no new request id in the notice "${notice}"`);
    await until(
      async () => {
        const r = await api('GET', `/api/v1/queries/${retried}`);
        return r.status === 200 && r.json?.status === 'done' && /6/.test(r.json?.answer ?? '');
      },
      60000,
      `the retried request ${retried} to be answered`,
      500,
    );
  });

  await scenario(`scale: the worker count follows "scale workers ${SCALE_TO}"`, async () => {
    if (!CLI) fail('AGENTIC_CLI is not set');
    if (!(SCALE_TO > 0)) fail(`SCALE_TO=${env.SCALE_TO} is not a positive number`);
    await go('workers');
    const count = async () => {
      const t = await text('worker-count');
      return /^\d+$/.test(t) ? Number(t) : null;
    };
    const initial = (
      await until(async () => {
        const c = await count();
        return c == null ? null : { c };
      }, 30000, 'a worker count from the overview stream')
    ).c;
    if (initial === SCALE_TO) fail(`there are already ${SCALE_TO} workers: set SCALE_TO to another count`);
    const cli = await runCli(['scale', 'workers', String(SCALE_TO)]);
    if (cli.code !== 0) fail(`${CLI} scale workers ${SCALE_TO} exited ${cli.code}: ${(cli.stderr || cli.stdout || String(cli.error)).trim().split('\n').slice(-3).join(' | ')}`);
    await until(async () => (await count()) === SCALE_TO, SCALE_TIMEOUT_MS, `worker-count to show ${SCALE_TO} (was ${initial})`, 500);
    const change = SCALE_TO > initial ? 'joined' : 'left';
    await until(
      async () => (await page.locator(`[data-testid="scale-history"] li[data-change="${change}"]`).count()) > 0,
      10000,
      `a "${change}" entry in the scale history`,
    );
    const entry = await page.locator(`[data-testid="scale-history"] li[data-change="${change}"]`).first().textContent();
    if (!/^\d\d:\d\d:\d\d \S+ (joined|left)$/.test(entry.trim())) fail(`scale entry "${entry}" is not "HH:MM:SS name ${change}"`);
    await page.screenshot({ path: path.join(SHOTS, 'workers.png') });
  });

  await scenario('limits: a rate limit set in the UI refuses a burst with 429', async () => {
    const prior = await api('GET', '/api/v1/admin/limits');
    if (prior.status !== 200) fail(`GET limits answered ${prior.status}`);
    const prev = prior.json?.defaults || {};
    const setLimits = async (rps, burst) => {
      await byTestId('limit-rate_per_second').fill(String(rps));
      await byTestId('limit-burst').fill(String(burst));
      await byTestId('save-limits').click();
      await until(
        async () => {
          if (await byTestId('limits-error').count()) fail(`saving limits failed: ${await text('limits-error')}`);
          return /Saved|Nothing changed/.test(await text('limits-status'));
        },
        15000,
        'the limits to be saved',
      );
    };
    await go('admission');
    await visible('limit-rate_per_second');
    await visible('max-depth-interactive');
    let got429 = false;
    try {
      await setLimits(1, 1);
      for (let round = 0; round < 4 && !got429; round++) {
        if (round) await delay(1200); // every ingress applies new limits within a second
        const statuses = await Promise.all(
          Array.from({ length: 5 }, () =>
            page.request
              .post(`${ORIGIN}/api/v1/query`, {
                headers: { ...auth, Accept: 'application/json', 'Content-Type': 'application/json' },
                data: JSON.stringify({ query: RATE_QUERY, agent_type: RATE_AGENT }),
                timeout: 60000,
                failOnStatusCode: false,
              })
              .then(async (r) => ({ status: r.status(), body: await r.json().catch(() => null) })),
          ),
        );
        const refused = statuses.filter((s) => s.status === 429);
        // Only the limit the page set counts: not queue_full or too_many_streams.
        got429 = refused.some((s) => s.body?.code === 'rate_limited');
        if (refused.length && !got429) notes.push(`429 codes: ${refused.map((s) => s.body?.code).join(',')}`);
        if (!got429) notes.push(`burst ${round + 1}: ${statuses.map((s) => s.status).join(',')}`);
      }
    } finally {
      // Restore through the UI, then make sure through the API.
      try {
        await setLimits(prev.rate_per_second ?? 0, prev.burst ?? 0);
      } catch (err) {
        notes.push(`restoring limits through the UI failed: ${err.message}`);
      }
      const now = await api('GET', '/api/v1/admin/limits');
      const d = now.json?.defaults || {};
      if (d.rate_per_second !== prev.rate_per_second || d.burst !== prev.burst) {
        const body = { rate_per_second: prev.rate_per_second ?? 0, burst: prev.burst ?? 0 };
        const r = await api('PUT', '/api/v1/admin/limits', body);
        notes.push(`limits restored through the API (${r.status})`);
      }
    }
    if (!got429) fail('no 429 among 4 bursts of 5 queries with rate_per_second=1, burst=1');
  });

  await scenario('accessibility: axe finds no serious or critical violation (Queue, Playground)', async () => {
    const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    const check = async (view) => {
      await go(view);
      if (view === 'queue') {
        await visible('lane-interactive', 20000);
        await page.screenshot({ path: path.join(SHOTS, 'dashboard.png') });
      }
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        }));
      });
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of violations.filter((x) => !bad.includes(x))) notes.push(`axe ${view} (${v.impact}): ${v.id}`);
      return bad.map((v) => `${view}: ${v.id} (${v.impact}) ${v.help} at ${v.targets.join(', ')}`);
    };
    const bad = [...(await check('queue')), ...(await check('playground'))];
    if (bad.length) fail(bad.join('; '));
  });

  await scenario('phone width: no page-wide horizontal scroll at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const view of ['queue', 'playground']) {
        await go(view);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (overflow > 1) fail(`the ${view} view is ${overflow}px wider than a 390px screen`);
      }
      await go('queue');
      await page.screenshot({ path: path.join(SHOTS, 'dashboard-phone.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  // Scenario 7 and the CSP check cover the whole run.
  abortRun = false;
  await scenario('no console errors, page errors, failed requests or unexpected HTTP errors', async () => {
    if (problems.length) fail(`${problems.length} problem(s): ${problems.slice(0, 8).join(' | ')}`);
  });
  await scenario('no Content Security Policy violation', async () => {
    const inPage = await page.evaluate(() => window.__cspViolations || []).catch(() => []);
    const all = [...cspViolations, ...inPage];
    if (all.length) fail(all.slice(0, 5).join(' | '));
  });
}

try {
  await main();
} catch (err) {
  failedCount++;
  console.log(`not ok - run: ${err?.message || err}`);
  if (err?.stack) console.error(err.stack);
} finally {
  for (const n of notes) console.log(`# ${n}`);
  await browser?.close().catch(() => {});
}
console.log(`${passed} passed, ${failedCount} failed`);
process.exit(failedCount ? 1 : 0);
