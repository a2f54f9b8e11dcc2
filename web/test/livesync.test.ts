import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSync, notificationType, retryDelay, type HubLike, type Timers } from '../src/livesync';

/** Stands for SignalR's HubConnection: the test starts, fails, drops and reconnects it. */
class FakeHub implements HubLike {
  handlers = new Map<string, (message: unknown) => void>();
  reconnected: (() => void) | null = null;
  closed: ((error?: Error) => void) | null = null;
  stopped = false;
  private settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  constructor(readonly url: string, readonly accessToken: () => Promise<string>) {}
  on(method: string, handler: (message: unknown) => void): void {
    this.handlers.set(method, handler);
  }
  onreconnected(callback: () => void): void {
    this.reconnected = callback;
  }
  onclose(callback: (error?: Error) => void): void {
    this.closed = callback;
  }
  start(): Promise<void> {
    return new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  opened(): void {
    this.settle?.resolve();
  }
  failed(): void {
    this.settle?.reject(new Error('refused'));
  }
  receive(type: number): void {
    this.handlers.get('ReceiveMessage')?.({ ContextId: 'other', Type: type, Payload: { Id: 'x', UserId: 'u', RevisionDate: new Date(0) } });
  }
}

/** Timers run only when the test says so; `advance` fires those due by the fake clock. */
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

function setup() {
  const hubs: FakeHub[] = [];
  const timers = new FakeTimers();
  const calls = { syncs: 0, logOuts: 0, tokens: 0 };
  const live = new LiveSync({
    url: 'https://vault.test/notifications/hub',
    accessToken: async () => `token-${++calls.tokens}`,
    sync: async () => {
      calls.syncs++;
    },
    logOut: () => calls.logOuts++,
    connect: (url, accessToken) => {
      const hub = new FakeHub(url, accessToken);
      hubs.push(hub);
      return hub;
    },
    timers,
  });
  return { live, hubs, timers, calls };
}

async function connected() {
  const env = setup();
  env.live.start();
  const hub = env.hubs[0]!;
  hub.opened();
  await tick();
  return { ...env, hub };
}

test('notifications are read as the Bitwarden clients read them', () => {
  assert.equal(notificationType({ ContextId: null, Type: 5, Payload: {} }), 5);
  assert.equal(notificationType({ type: 11 }), 11);
  assert.equal(notificationType({ Type: '5' }), null);
  assert.equal(notificationType(null), null);
  assert.equal(notificationType('5'), null);
});

test('the connection goes to the hub address, with a fresh token from the api module at each connect', async () => {
  const { hub, calls } = await connected();
  assert.equal(hub.url, 'https://vault.test/notifications/hub');
  assert.equal(await hub.accessToken(), 'token-1');
  assert.equal(await hub.accessToken(), 'token-2');
  assert.equal(calls.tokens, 2);
});

test('a burst of notifications causes one sync after the quiet period', async () => {
  const { hub, timers, calls } = await connected();
  for (const type of [1, 0, 2, 8]) hub.receive(type);
  timers.advance(499);
  assert.equal(calls.syncs, 0);
  hub.receive(5);
  timers.advance(499);
  assert.equal(calls.syncs, 0);
  timers.advance(1);
  assert.equal(calls.syncs, 1);
  await tick();
  timers.advance(5000);
  assert.equal(calls.syncs, 1);
});

test('settings notifications do not sync; LogOut ends the session and closes the connection', async () => {
  const { hub, timers, calls, live } = await connected();
  hub.receive(10);
  timers.advance(1000);
  assert.equal(calls.syncs, 0);
  hub.receive(11);
  assert.equal(calls.logOuts, 1);
  assert.equal(hub.stopped, true);
  assert.equal(live.active, false);
  assert.deepEqual(timers.delays(), []);
});

test('an automatic reconnect catches up once', async () => {
  const { hub, timers, calls } = await connected();
  hub.reconnected?.();
  timers.advance(500);
  assert.equal(calls.syncs, 1);
});

test('reconnects use doubling back-off up to 30 s, forever', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map(retryDelay), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('a failed start or a connection the server ended starts over with back-off, then catches up once', async () => {
  const { hub, timers, hubs, calls } = await connected();
  hub.closed?.();
  assert.deepEqual(timers.delays(), [1000]);
  timers.advance(1000);
  hubs[1]!.failed();
  await tick();
  assert.deepEqual(timers.delays(), [2000]);
  timers.advance(2000);
  const third = hubs[2]!;
  third.opened();
  await tick();
  timers.advance(500);
  assert.equal(calls.syncs, 1);
  assert.equal(hubs.length, 3);
});

test('stop closes the connection and cancels pending work', async () => {
  const { hub, timers, calls, live } = await connected();
  hub.receive(1);
  live.stop();
  timers.advance(60_000);
  assert.equal(hub.stopped, true);
  assert.equal(calls.syncs, 0);
});

test('a connection that opens after stop is closed at once', async () => {
  const { live, hubs } = setup();
  live.start();
  live.stop();
  hubs[0]!.opened();
  await tick();
  assert.equal(hubs[0]!.stopped, true);
});

test('organization notifications (an org item changed, org keys changed) cause a full sync', async () => {
  const { hub, timers, calls } = await connected();
  hub.handlers.get('ReceiveMessage')?.({ ContextId: 'other', Type: 1, Payload: { Id: 'x', OrganizationId: 'o', CollectionIds: ['c'], RevisionDate: new Date(0) } });
  timers.advance(500);
  assert.equal(calls.syncs, 1);
  await tick();
  hub.receive(6);
  timers.advance(500);
  assert.equal(calls.syncs, 2);
  assert.equal(calls.logOuts, 0);
});

test('Send notifications (created, changed or opened by a recipient, deleted) cause a full sync', async () => {
  const { hub, timers, calls } = await connected();
  for (const [i, type] of [12, 13, 14].entries()) {
    hub.receive(type);
    timers.advance(500);
    assert.equal(calls.syncs, i + 1);
    await tick();
  }
});
