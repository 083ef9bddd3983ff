// One BullMQ worker process: `concurrency` jobs at once, each the math agent's job.
import { Worker } from 'bullmq';
import { evaluate, expressionOf } from './math.js';

const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379), maxRetriesPerRequest: null };
const concurrency = Number(process.env.CONCURRENCY ?? 4);

const worker = new Worker(
  'math',
  async (job) => {
    const expression = expressionOf(job.data.query);
    return { answer: `Expression: ${expression}\nResult: ${evaluate(expression)}` };
  },
  { connection, concurrency },
);
worker.on('error', (e) => console.error('worker error', e.message));
process.on('SIGTERM', async () => {
  await worker.close();
  process.exit(0);
});
