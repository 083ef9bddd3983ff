// The BullMQ peer of issue 11: what a team would build instead. An HTTP server that enqueues each
// POST /api/v1/query as a BullMQ job and answers when `job.waitUntilFinished` returns, plus
// WORKERS worker processes of CONCURRENCY jobs each. Environment: PORT, REDIS_PORT, WORKERS (2),
// CONCURRENCY (4).
import http from 'node:http';
import { fork } from 'node:child_process';
import { Queue, QueueEvents } from 'bullmq';

const port = Number(process.env.PORT ?? 8070);
const redisPort = Number(process.env.REDIS_PORT ?? 6379);
const workers = Number(process.env.WORKERS ?? 2);
const connection = { host: '127.0.0.1', port: redisPort };

const queue = new Queue('math', { connection });
const events = new QueueEvents('math', { connection });
await events.waitUntilReady();
const children = [];
for (let i = 0; i < workers; i++) {
  children.push(fork(new URL('./worker.js', import.meta.url), [], { env: process.env }));
}

const reply = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
};

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return reply(res, 200, { status: 'UP' });
  if (req.method !== 'POST' || req.url !== '/api/v1/query') return reply(res, 404, { error: 'not_found' });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof body.query !== 'string') return reply(res, 400, { error: 'query_required' });
      const job = await queue.add('math', { query: body.query }, { removeOnComplete: 1000, removeOnFail: 1000 });
      const result = await job.waitUntilFinished(events, 30_000);
      reply(res, 200, { id: job.id, agent_type: 'math', answer: result.answer, finish_reason: 'stop' });
    } catch (e) {
      reply(res, 422, { error: 'failed', message: String(e?.message ?? e) });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`bullmq peer listening on http://127.0.0.1:${port} (${workers} workers)`));

const stop = async () => {
  server.close();
  for (const child of children) child.kill('SIGTERM');
  await Promise.allSettled([events.close(), queue.close()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
