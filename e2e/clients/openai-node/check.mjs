// The official openai npm client against /v1 of a running stack. Run by OpenAiClientsIT:
//   OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=agk_... LIMITED_KEY=agk_... \
//   GENERAL_ONLY_KEY=agk_... node check.mjs
// Prints one line per check and exits 1 on the first failure.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.OPENAI_BASE_URL;
const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0, timeout: 30_000 });
const ask = (model, content, extra = {}) => ({ model, messages: [{ role: 'user', content }], ...extra });

async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected a refusal');
}

const checks = {
  async wholeAnswerWithUsage() {
    const completion = await client.chat.completions.create(ask('math', 'What is 3+4?'));
    assert.match(completion.choices[0].message.content, /Result: 7/);
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.ok(completion.usage.prompt_tokens > 0);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
  },

  async streamedAnswerWithUsageLast() {
    const stream = await client.chat.completions.create(
      ask('general', 'Tell me about queues', { stream: true, stream_options: { include_usage: true } }));
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      for (const choice of chunk.choices) text += choice.delta.content ?? '';
    }
    assert.ok(text.trim().length > 0);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.ok(chunks.at(-1).usage.completion_tokens > 0);
    assert.ok(chunks.at(-2).choices[0].finish_reason);
  },

  // The SDK's own tool loop: it reads the streamed call, runs the function, sends its result back.
  async toolsRoundTrip() {
    let asked;
    const runner = client.chat.completions.runTools({
      model: 'general',
      stream: true,
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [{
        type: 'function',
        function: {
          name: 'weather',
          description: 'The weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          parse: JSON.parse,
          function: async ({ city }) => {
            asked = city;
            return `snow in ${city}`;
          },
        },
      }],
    });
    const content = await runner.finalContent();
    // The simulator fills a string argument with the question: the schema reached it.
    assert.equal(asked, 'Weather in Oslo?');
    assert.match(content, /tool said: snow in Weather in Oslo\?/);
    const calls = runner.messages.filter((m) => m.role === 'assistant' && m.tool_calls?.length);
    assert.equal(calls.length, 1);
    assert.match(calls[0].tool_calls[0].id, /^call_/);
  },

  async refusalsAsTheClientsOwnErrors() {
    const notFound = await refusal(client.chat.completions.create(ask('gpt-9', 'hi')));
    assert.ok(notFound instanceof OpenAI.NotFoundError, String(notFound));
    assert.equal(notFound.code, 'model_not_found');
    assert.equal(notFound.param, 'model');

    const badKey = new OpenAI({ baseURL, apiKey: 'agk_0000000000000bad_nope', maxRetries: 0 });
    assert.ok(await refusal(badKey.chat.completions.create(ask('math', 'hi'))) instanceof OpenAI.AuthenticationError);

    const badParam = await refusal(client.chat.completions.create(ask('math', 'hi', { temperature: 0.2 })));
    assert.ok(badParam instanceof OpenAI.BadRequestError, String(badParam));
    assert.equal(badParam.param, 'temperature');

    const generalOnly = new OpenAI({ baseURL, apiKey: process.env.GENERAL_ONLY_KEY, maxRetries: 0 });
    assert.ok(await refusal(generalOnly.chat.completions.create(ask('math', 'hi'))) instanceof OpenAI.PermissionDeniedError);

    const limited = new OpenAI({ baseURL, apiKey: process.env.LIMITED_KEY, maxRetries: 0 });
    let rate;
    for (let i = 0; i < 20 && !rate; i++) {
      try {
        await limited.chat.completions.create(ask('math', 'What is 1+1?'));
      } catch (e) {
        rate = e;
      }
    }
    assert.ok(rate instanceof OpenAI.RateLimitError, String(rate));
    assert.ok(rate.headers.get('retry-after'));
  },

  async anErrorEventIsAnError() {
    const stream = await client.chat.completions.create(ask('math', 'What is 10^100000000?', { stream: true }));
    const failure = await refusal((async () => { for await (const chunk of stream) void chunk; })());
    assert.ok(failure instanceof OpenAI.APIError, String(failure));
    assert.match(String(failure.message), /beyond the supported range/);
  },

  async anAbortedStreamIsCancelled() {
    const controller = new AbortController();
    const { data: stream, response } = await client.chat.completions
      .create(ask('diagnostic', 'sleep 60000', { stream: true }), { signal: controller.signal })
      .withResponse();
    const id = response.headers.get('x-request-id');
    assert.ok(id);
    let seen = 0;
    try {
      for await (const chunk of stream) {
        if (++seen === 2) controller.abort();
      }
    } catch (e) {
      assert.ok(e instanceof OpenAI.APIUserAbortError || e.name === 'AbortError', String(e));
    }
    const statusUrl = new URL(`../api/v1/queries/${id}`, baseURL.endsWith('/') ? baseURL : baseURL + '/');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await (await fetch(statusUrl, { headers: { authorization: `Bearer ${process.env.OPENAI_API_KEY}` } })).text();
      if (status.includes('"status":"error"') && status.includes('cancelled')) break;
      assert.ok(Date.now() < deadline, `not cancelled: ${status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  },
};

for (const [name, check] of Object.entries(checks)) {
  try {
    await check();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`FAILED ${name}: ${e?.stack ?? e}`);
    process.exit(1);
  }
}
