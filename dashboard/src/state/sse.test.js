import { describe, expect, it } from 'vitest';
import { backoffDelay, createSseParser, readEventStream } from './sse.js';

function collect() {
  const events = [];
  const retries = [];
  const comments = [];
  const parser = createSseParser({
    onEvent: (e) => events.push(e),
    onRetry: (ms) => retries.push(ms),
    onComment: (c) => comments.push(c),
  });
  return { parser, events, retries, comments };
}

describe('createSseParser', () => {
  it('parses a complete frame with id, event and data', () => {
    const { parser, events } = collect();
    parser.push('id: 1795761196106-0\nevent: token\ndata: {"text":" 4"}\n\n');
    expect(events).toEqual([{ type: 'token', data: '{"text":" 4"}', id: '1795761196106-0', lastEventId: '1795761196106-0' }]);
  });

  it('reassembles a frame split across chunks at every position', () => {
    const wire = 'retry: 2000\nid: 1-0\nevent: token\ndata: {"text":"héllo"}\n\nid: 1-1\nevent: done\ndata: {}\n\n';
    for (let cut = 1; cut < wire.length; cut++) {
      const { parser, events, retries } = collect();
      parser.push(wire.slice(0, cut));
      parser.push(wire.slice(cut));
      expect(events.map((e) => [e.type, e.data, e.id])).toEqual([
        ['token', '{"text":"héllo"}', '1-0'],
        ['done', '{}', '1-1'],
      ]);
      expect(retries).toEqual([2000]);
    }
  });

  it('handles one character per chunk', () => {
    const { parser, events } = collect();
    for (const c of 'event: a\r\ndata: x\r\n\r\nevent: b\rdata: y\r\r') parser.push(c);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
  });

  it('treats CRLF split between chunks as one line end, not two', () => {
    const { parser, events } = collect();
    parser.push('data: one\r');
    parser.push('\ndata: two\r');
    parser.push('\n\r');
    parser.push('\n');
    expect(events).toHaveLength(1);
    expect(events[0].data).toBe('one\ntwo');
  });

  it('accepts CR-only and LF-only line ends', () => {
    const { parser, events } = collect();
    parser.push('data: a\r\rdata: b\n\n');
    expect(events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('joins multi-line data with newlines and keeps empty data lines', () => {
    const { parser, events } = collect();
    parser.push('data: first\ndata:\ndata:  indented\n\n');
    expect(events[0].data).toBe('first\n\n indented');
    expect(events[0].type).toBe('message');
  });

  it('ignores comments (heartbeats) and reports them', () => {
    const { parser, events, comments } = collect();
    parser.push(':\n: keep-alive\n\ndata: x\n: between\n\n');
    expect(events.map((e) => e.data)).toEqual(['x']);
    expect(comments).toEqual(['', 'keep-alive', 'between']);
  });

  it('does not dispatch a frame without data, but keeps its id', () => {
    const { parser, events } = collect();
    parser.push('id: 5-0\nevent: nothing\n\ndata: later\n\n');
    expect(events).toEqual([{ type: 'message', data: 'later', id: null, lastEventId: '5-0' }]);
  });

  it('marks frames without their own id (id null) while lastEventId carries over', () => {
    const { parser, events } = collect();
    parser.push('id: 7-1\nevent: token\ndata: {}\n\nevent: error\ndata: {"code":"redis_unavailable","retryable":true}\n\n');
    expect(events[1].id).toBeNull();
    expect(events[1].lastEventId).toBe('7-1');
    expect(events[1].type).toBe('error');
  });

  it('ignores an id containing NUL and a non-numeric retry', () => {
    const { parser, events, retries } = collect();
    parser.push('retry: 12a\nretry: 300\nid: a\u0000b\ndata: x\n\n');
    expect(retries).toEqual([300]);
    expect(events[0].id).toBeNull();
  });

  it('takes a field without a colon as an empty value and ignores unknown fields', () => {
    const { parser, events } = collect();
    parser.push('data\nfoo: bar\n\n');
    expect(events).toEqual([{ type: 'message', data: '', id: null, lastEventId: '' }]);
  });

  it('removes only one space after the colon', () => {
    const { parser, events } = collect();
    parser.push('event:token\ndata:   three\n\n');
    expect(events[0]).toMatchObject({ type: 'token', data: '  three' });
  });

  it('drops an unterminated frame at the end of the stream', () => {
    const { parser, events } = collect();
    parser.push('data: complete\n\ndata: partial\n');
    parser.end();
    expect(events.map((e) => e.data)).toEqual(['complete']);
  });

  it('strips a leading byte order mark', () => {
    const { parser, events } = collect();
    parser.push('\uFEFFdata: x\n\n');
    expect(events[0].data).toBe('x');
  });
});

describe('readEventStream', () => {
  function response(chunks) {
    const encoder = new TextEncoder();
    const body = new ReadableStream({
      start(controller) {
        for (const c of chunks) controller.enqueue(typeof c === 'string' ? encoder.encode(c) : c);
        controller.close();
      },
    });
    return new Response(body);
  }

  it('decodes UTF-8 split inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('data: {"text":"€ ok"}\n\n');
    const at = bytes.indexOf(0xe2) + 1; // inside the euro sign
    const events = [];
    await readEventStream(response([bytes.slice(0, at), bytes.slice(at)]), { onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.data)).toEqual(['{"text":"€ ok"}']);
  });

  it('resolves at the end of the body and reports retry', async () => {
    const events = [];
    let retry = null;
    await readEventStream(response(['retry: 2000\n', 'event: overview\ndata: {"at_ms":1}\n', '\n']), {
      onEvent: (e) => events.push(e),
      onRetry: (ms) => (retry = ms),
    });
    expect(retry).toBe(2000);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].data).at_ms).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base and caps at max', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 1000, 15000))).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
  });
  it('treats bad input sanely', () => {
    expect(backoffDelay(0)).toBe(1000);
    expect(backoffDelay(1, 0)).toBe(1000);
    expect(backoffDelay(1000, 500, 30000)).toBe(30000);
  });
});
