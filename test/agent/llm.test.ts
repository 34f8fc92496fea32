/** The LLM client against a real loopback HTTP server: retries, timeouts, refusals, shapes, key hygiene. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkDescription } from '../../src/agent/answers.js';
import { LlmClient, type LlmOptions, MissingApiKeyError } from '../../src/agent/llm.js';
import { type FakeLlm, type FakeReply, startFakeLlm } from './llm-server.js';

const KEY = 'sk-test-SECRET-0123456789';
const ASK = [{ role: 'user' as const, content: "Describe 'wave'." }];
const servers: FakeLlm[] = [];

async function setup(script: readonly FakeReply[] | Parameters<typeof startFakeLlm>[0], options: LlmOptions = {}) {
  const server = await startFakeLlm(script);
  servers.push(server);
  const logs: string[] = [];
  const client = new LlmClient({ apiKey: KEY, baseURL: server.url, backoffMs: 5, timeoutMs: 2000, log: (l) => logs.push(l), ...options });
  return { server, client, logs };
}

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('LlmClient', () => {
  it('sends model, messages and the key; returns the content', async () => {
    const { server, client, logs } = await setup([{ content: 'A wave of the hand.' }], { model: 'my-model' });
    const out = await client.complete(ASK, null, 'test');
    assert.deepEqual(out, { ok: true, text: 'A wave of the hand.', attempts: 1 });
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].model, 'my-model');
    assert.deepEqual(server.requests[0].messages, ASK);
    assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(logs, []);
  });

  it('429 (with Retry-After) then success', async () => {
    const { server, client, logs } = await setup([{ status: 429, headers: { 'retry-after-ms': '20' } }, { content: 'ok' }]);
    const t0 = Date.now();
    const out = await client.complete(ASK, null, 'test');
    assert.equal(out.ok, true);
    assert.equal(out.attempts, 2);
    assert.equal(server.requests.length, 2);
    assert.ok(Date.now() - t0 >= 20, 'waited the Retry-After');
    assert.match(logs[0], /HTTP 429.*retrying in 20 ms/);
  });

  it('persistent 500: gives up after maxAttempts, never throws', async () => {
    const { server, client } = await setup([{ status: 500 }], { maxAttempts: 3 });
    const out = await client.complete(ASK, null, 'test');
    assert.equal(out.ok, false);
    assert.equal(!out.ok && out.kind, 'failed');
    assert.match(!out.ok ? out.reason : '', /HTTP 500.*gave up after 3 attempts/);
    assert.equal(server.requests.length, 3);
  });

  it('4xx other than 408/409/429 fails at once', async () => {
    const { server, client } = await setup([{ status: 400, message: 'bad request' }]);
    const out = await client.complete(ASK, null, 'test');
    assert.equal(out.ok, false);
    assert.equal(server.requests.length, 1);
  });

  it('a slow answer past the timeout is retried', async () => {
    const { server, client, logs } = await setup([{ delayMs: 1000, then: { content: 'late' } }, { content: 'in time' }], { timeoutMs: 150 });
    const out = await client.complete(ASK, null, 'test');
    assert.deepEqual(out, { ok: true, text: 'in time', attempts: 2 });
    assert.equal(server.requests.length, 2);
    assert.match(logs[0], /timed out/);
  });

  it('refusals (API field or wording) are reported, not retried', async () => {
    for (const reply of [{ refusal: 'I cannot help with that.' }, { content: "I'm sorry, but I can't assist with that request." }]) {
      const { server, client } = await setup([reply, { content: 'never asked' }]);
      const out = await client.complete(ASK, checkDescription(), 'test');
      assert.equal(!out.ok && out.kind, 'refused');
      assert.equal(server.requests.length, 1);
    }
  });

  it('wrongly shaped answers are asked again, then reported as malformed', async () => {
    const twoLines = { content: 'line one\nline two' };
    const good = await setup([twoLines, { content: 'One good sentence.' }]);
    assert.deepEqual(await good.client.complete(ASK, checkDescription(), 'test'), { ok: true, text: 'One good sentence.', attempts: 2 });
    const bad = await setup([twoLines], { answerRetries: 1 });
    const out = await bad.client.complete(ASK, checkDescription(), 'test');
    assert.equal(!out.ok && out.kind, 'malformed');
    assert.match(!out.ok ? out.reason : '', /several lines/);
    assert.equal(bad.server.requests.length, 2);
    const empty = await setup([{ content: '   ' }], { answerRetries: 0 });
    assert.equal((await empty.client.complete(ASK, null, 'test')).ok, false);
  });

  it('the key never appears in logs or reasons, even when the server echoes it', async () => {
    const { client, logs } = await setup([{ status: 401, message: `Incorrect API key provided: ${KEY}. Bearer ${KEY}` }]);
    const out = await client.complete(ASK, null, 'test');
    assert.equal(out.ok, false);
    const all = JSON.stringify(out) + logs.join('\n');
    assert.ok(!all.includes(KEY), all);
    assert.match(all, /\[redacted\]/);
  });

  it('connection refused is a failure after retries', async () => {
    const { server, client } = await setup([{ content: 'x' }], { maxAttempts: 2 });
    await server.close();
    const out = await client.complete(ASK, null, 'test');
    assert.equal(!out.ok && out.kind, 'failed');
    assert.match(!out.ok ? out.reason : '', /connection failed|timed out/);
  });

  it('bounds the requests in flight', async () => {
    const { server, client } = await setup([{ delayMs: 30, then: { content: 'ok' } }], { concurrency: 2 });
    const outs = await Promise.all(Array.from({ length: 7 }, () => client.complete(ASK, null, 'test')));
    assert.ok(outs.every((o) => o.ok));
    assert.equal(server.inFlight.max, 2);
  });

  it('requires a key', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      assert.throws(() => new LlmClient({ baseURL: 'http://127.0.0.1:9/v1' }), MissingApiKeyError);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});
