/**
 * A real OpenAI-compatible HTTP server on loopback for tests: `POST /v1/chat/completions` answered
 * from a script. Reusable by any test that needs an LLM (agent, training loop):
 *
 *   const llm = await startFakeLlm(scriptedAgent());            // deterministic dialogue answers
 *   const client = new LlmClient({ apiKey: 'k', baseURL: llm.url });
 *   ...
 *   llm.requests   // every request received, in arrival order
 *   await llm.close();
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** 0-based arrival order. */
  readonly index: number;
  readonly model: string;
  readonly messages: readonly { role: string; content: string }[];
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type FakeReply =
  /** 200 with this assistant message content. */
  | { readonly content: string }
  /** 200 whose message carries the API's `refusal` field (content null). */
  | { readonly refusal: string }
  /** An HTTP error with an OpenAI-style error body. */
  | { readonly status: number; readonly message?: string; readonly headers?: Readonly<Record<string, string>> }
  /** Wait, then reply (a client timeout shorter than `delayMs` gives up first). */
  | { readonly delayMs: number; readonly then: FakeReply };

/** Decides the reply to each request; may look at the conversation. */
export type FakeScript = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeLlm {
  /** Base URL for the OpenAI client, e.g. http://127.0.0.1:41234/v1 */
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Requests being answered right now, and the most seen at once. */
  readonly inFlight: { now: number; max: number };
  close(): Promise<void>;
}

function completion(model: string, message: { content: string | null; refusal: string | null }, finish = 'stop') {
  return {
    id: 'chatcmpl-fake', object: 'chat.completion', created: 0, model,
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function send(res: ServerResponse, reply: FakeReply, model: string): Promise<void> {
  if ('delayMs' in reply) {
    await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return; // the client gave up
    return send(res, reply.then, model);
  }
  let status = 200;
  let body: unknown;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if ('status' in reply) {
    status = reply.status;
    Object.assign(headers, reply.headers);
    body = { error: { message: reply.message ?? `fake error ${reply.status}`, type: 'fake_error', param: null, code: null } };
  } else if ('refusal' in reply) {
    body = completion(model, { content: null, refusal: reply.refusal });
  } else {
    body = completion(model, { content: reply.content, refusal: null });
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

/** Starts the server on 127.0.0.1 (ephemeral port). A list script answers request i with item i (the last repeats). */
export async function startFakeLlm(script: FakeScript | readonly FakeReply[]): Promise<FakeLlm> {
  const decide: FakeScript = typeof script === 'function' ? script : (r) => script[Math.min(r.index, script.length - 1)];
  const requests: FakeRequest[] = [];
  const inFlight = { now: 0, max: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      try {
        const parsed = JSON.parse(await readBody(req)) as { model: string; messages: FakeRequest['messages'] };
        const request: FakeRequest = { index: requests.length, model: parsed.model, messages: parsed.messages, headers: req.headers };
        requests.push(request);
        await send(res, await decide(request), parsed.model);
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake server: ${(err as Error).message}` } }));
      } finally {
        inFlight.now--;
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    inFlight,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The class name a prompt is about: the first single-quoted phrase. */
export function quotedAction(prompt: string): string {
  return /'([^']+)'/.exec(prompt)?.[1] ?? '?';
}

/**
 * Deterministic well-formed answers for the five dialogue rounds and the round-6 follow-up, chosen
 * from the last user message: joint lists for round 3, "<n>-<joint>: ..." lines for round 4 (joints
 * 3, 4 and 7 by default), and single-sentence descriptions that name the class and the round.
 */
export function scriptedAgent(criticalJoints: readonly number[] = [3, 4, 7]): FakeScript {
  return (request) => {
    const last = request.messages[request.messages.length - 1]?.content ?? '';
    // Round 1's question (always the first message) names the class.
    const action = quotedAction(request.messages[0]?.content ?? '');
    if (last.includes('List only the numerical labels')) return { content: criticalJoints.join(', ') };
    if (last.includes('[label]-[joint name]')) return { content: criticalJoints.map((n) => `${n}-joint ${n}: moves during ${action}.`).join('\n') };
    if (last.includes('distinguished from similar actions')) return { content: `Refined: ${action} differs from its look-alikes by its timing.` };
    return { content: `Round ${(request.messages.length + 1) / 2} answer about ${action}.` };
  };
}
