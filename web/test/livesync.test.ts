import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSync, parseFrame, RS, splitFrames, type SocketLike, type Timers } from '../src/livesync';

class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  receive(data: string): void {
    this.onmessage?.({ data });
  }
}

/** Timers run only when the test says so; `run` fires those due by the fake clock. */
class FakeTimers implements Timers {
  now = 0;
  private next = 1;
  private pending = new Map<number, { at: number; callback: () => void }>();
  set(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, callback });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = end;
  }
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.now);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const invocation = (type: number) =>
  JSON.stringify({ type: 1, target: 'ReceiveMessage', arguments: [{ ContextId: 'other', Type: type, Payload: { Id: 'x', UserId: 'u' } }] }) + RS;

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = new FakeTimers();
  const calls = { syncs: 0, logOuts: 0 };
  const live = new LiveSync({
    url: 'ws://vault.test/notifications/hub',
    accessToken: async () => `token-${sockets.length + 1}`,
    sync: async () => {
      calls.syncs++;
    },
    logOut: () => calls.logOuts++,
    socket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers,
  });
  return { live, sockets, timers, calls };
}

async function connected() {
  const env = setup();
  env.live.start();
  await tick();
  const socket = env.sockets[0]!;
  socket.onopen?.({});
  socket.receive(`{}${RS}`);
  return { ...env, socket };
}

test('frames split at record separators and keep an unfinished one for the next chunk', () => {
  assert.deepEqual(splitFrames(`{}${RS}{"type":6}${RS}{"ty`), { frames: ['{}', '{"type":6}'], rest: '{"ty' });
  assert.deepEqual(splitFrames(`${RS}${RS}`), { frames: [], rest: '' });
});

test('the first frame is the handshake response, then pings, closes and invocations', () => {
  assert.deepEqual(parseFrame('{}', false), { kind: 'handshake', error: null });
  assert.deepEqual(parseFrame('{"error":"Unsupported protocol"}', false), { kind: 'handshake', error: 'Unsupported protocol' });
  assert.deepEqual(parseFrame('{"type":6}', true), { kind: 'ping' });
  assert.deepEqual(parseFrame('{"type":7,"allowReconnect":false}', true), { kind: 'close', error: null });
  assert.deepEqual(parseFrame(invocation(1).slice(0, -1), true), { kind: 'notification', type: 1, payload: { Id: 'x', UserId: 'u' } });
  assert.deepEqual(parseFrame('{"type":1,"target":"Other","arguments":[]}', true), { kind: 'other' });
});

test('the connection sends the JSON handshake with the token in the address', async () => {
  const { socket } = await connected();
  assert.equal(socket.url, 'ws://vault.test/notifications/hub?access_token=token-1');
  assert.deepEqual(socket.sent, [`{"protocol":"json","version":1}${RS}`]);
});

test('a burst of notifications, split across chunks, causes one sync after the quiet period', async () => {
  const { socket, timers, calls } = await connected();
  const burst = invocation(1) + invocation(0) + `{"type":6}${RS}` + invocation(2) + invocation(8);
  socket.receive(burst.slice(0, 50));
  socket.receive(burst.slice(50));
  timers.advance(499);
  assert.equal(calls.syncs, 0);
  socket.receive(invocation(5));
  timers.advance(499);
  assert.equal(calls.syncs, 0);
  timers.advance(1);
  assert.equal(calls.syncs, 1);
  await tick();
  timers.advance(5000);
  assert.equal(calls.syncs, 1);
});

test('settings notifications do not sync; LogOut ends the session and closes the connection', async () => {
  const { socket, timers, calls, live } = await connected();
  socket.receive(`{"type":1,"target":"ReceiveMessage","arguments":[{"Type":10,"Payload":{}}]}${RS}`);
  timers.advance(1000);
  assert.equal(calls.syncs, 0);
  socket.receive(invocation(11));
  assert.equal(calls.logOuts, 1);
  assert.equal(socket.closed, true);
  assert.equal(live.active, false);
  assert.deepEqual(timers.delays(), []);
});

test('a dropped connection reconnects with doubling back-off and a fresh token, then catches up once', async () => {
  const { socket, timers, sockets, calls } = await connected();
  socket.onclose?.({});
  assert.deepEqual(timers.delays(), [1000]);
  timers.advance(1000);
  await tick();
  sockets[1]!.onclose?.({});
  assert.deepEqual(timers.delays(), [2000]);
  timers.advance(2000);
  await tick();
  const third = sockets[2]!;
  assert.equal(third.url.endsWith('access_token=token-3'), true);
  third.onopen?.({});
  third.receive(`{}${RS}`);
  timers.advance(500);
  assert.equal(calls.syncs, 1);
});

test('stop closes the socket and cancels pending work', async () => {
  const { socket, timers, calls, live } = await connected();
  socket.receive(invocation(1));
  live.stop();
  timers.advance(60_000);
  assert.equal(socket.closed, true);
  assert.equal(calls.syncs, 0);
});
