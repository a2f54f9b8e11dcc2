// Live sync: one connection to the server's notifications hub (/notifications/hub, SignalR's JSON protocol) while
// the vault is unlocked. A change made on another device arrives as a notification naming only what changed; the
// vault then runs one full sync, debounced so that an import's burst of notifications costs one download. The
// hub never carries vault data, so nothing here decrypts anything.
//
// Kept free of the vault and the DOM (app.ts wires it in) so that the socket factory and the timers can be faked in
// tests. The access token travels in the query string because browsers cannot set headers on a WebSocket; it is
// never logged here.

/** SignalR's record separator: every JSON hub message, the handshake included, ends with it. */
export const RS = '\x1e';

/** Push types from the server's PushType enum (src/Coffer.Server/Notifications/Notification.cs). */
export const PushType = {
  SyncCipherUpdate: 0,
  SyncCipherCreate: 1,
  SyncLoginDelete: 2,
  SyncFolderDelete: 3,
  SyncCiphers: 4,
  SyncVault: 5,
  SyncFolderCreate: 7,
  SyncFolderUpdate: 8,
  SyncSettings: 10,
  LogOut: 11,
} as const;

const VAULT_CHANGES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5, 7, 8]);

export type HubMessage =
  | { kind: 'handshake'; error: string | null }
  | { kind: 'ping' }
  | { kind: 'close'; error: string | null }
  | { kind: 'notification'; type: number; payload: Record<string, unknown> }
  | { kind: 'other' };

/** Splits received text at record separators; `rest` is an unfinished message to prepend to the next chunk. */
export function splitFrames(buffer: string): { frames: string[]; rest: string } {
  const parts = buffer.split(RS);
  const rest = parts.pop() ?? '';
  return { frames: parts.filter((p) => p.length > 0), rest };
}

/** One JSON hub message. The first one on a connection is the handshake response (`{}` or `{"error":…}`). */
export function parseFrame(text: string, handshakeDone: boolean): HubMessage {
  const message = JSON.parse(text) as { type?: number; error?: string; target?: string; arguments?: unknown[] };
  if (!handshakeDone) return { kind: 'handshake', error: message.error ?? null };
  switch (message.type) {
    case 6:
      return { kind: 'ping' };
    case 7:
      return { kind: 'close', error: message.error ?? null };
    case 1: {
      const argument = message.arguments?.[0] as { Type?: number; Payload?: Record<string, unknown> } | undefined;
      if (message.target !== 'ReceiveMessage' || typeof argument?.Type !== 'number') return { kind: 'other' };
      return { kind: 'notification', type: argument.Type, payload: argument.Payload ?? {} };
    }
    default:
      return { kind: 'other' };
  }
}

/** The part of the browser's WebSocket this module uses. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface LiveSyncOptions {
  /** A current access token; the api module refreshes it when it has expired. */
  accessToken: () => Promise<string>;
  /** Re-downloads the vault (the list redraws from the vault's change event). */
  sync: () => Promise<void>;
  /** Ends the session on this device, as the app's own log-out does. */
  logOut: () => void;
  /** The hub's ws:/wss: address without the token. */
  url: string;
  socket?: (url: string) => SocketLike;
  timers?: Timers;
  debounceMs?: number;
}

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;
// The server pings every quiet stretch; the client pings too so that proxies that drop silent upstreams keep it.
const PING_MS = 15_000;

export class LiveSync {
  private readonly socketFactory: (url: string) => SocketLike;
  private readonly timers: Timers;
  private readonly debounceMs: number;
  private running = false;
  private socket: SocketLike | null = null;
  private buffer = '';
  private handshakeDone = false;
  private retryMs = FIRST_RETRY_MS;
  private connectedBefore = false;
  private retryTimer: unknown = null;
  private syncTimer: unknown = null;
  private pingTimer: unknown = null;
  private syncing = false;
  private syncAgain = false;
  /** Bumped by stop(), so a connect still waiting for its token after a stop (and a new start) gives up. */
  private generation = 0;

  constructor(private readonly options: LiveSyncOptions) {
    this.socketFactory = options.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.timers = options.timers ?? { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    this.debounceMs = options.debounceMs ?? 500;
  }

  get active(): boolean {
    return this.running;
  }

  /** Opens the connection unless one is already kept. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.retryMs = FIRST_RETRY_MS;
    this.connectedBefore = false;
    void this.connect();
  }

  /** Closes the connection and cancels every timer: nothing runs while the vault is locked. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    for (const t of [this.retryTimer, this.syncTimer, this.pingTimer]) if (t !== null) this.timers.clear(t);
    this.retryTimer = this.syncTimer = this.pingTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000);
    }
  }

  private async connect(): Promise<void> {
    const generation = this.generation;
    let token: string;
    try {
      token = await this.options.accessToken();
    } catch {
      // A refused refresh ends the session through the api module; anything else (offline) is retried.
      if (generation === this.generation) this.retry();
      return;
    }
    if (!this.running || this.socket || generation !== this.generation) return;
    const separator = this.options.url.includes('?') ? '&' : '?';
    let socket: SocketLike;
    try {
      socket = this.socketFactory(`${this.options.url}${separator}access_token=${encodeURIComponent(token)}`);
    } catch {
      return this.retry();
    }
    this.socket = socket;
    this.buffer = '';
    this.handshakeDone = false;
    socket.onopen = () => socket.send(`{"protocol":"json","version":1}${RS}`);
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.receive(event.data);
    };
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.pingTimer !== null) this.timers.clear(this.pingTimer);
      this.pingTimer = null;
      this.retry();
    };
  }

  private retry(): void {
    if (!this.running) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
    this.retryTimer = this.timers.set(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private receive(chunk: string): void {
    const { frames, rest } = splitFrames(this.buffer + chunk);
    this.buffer = rest;
    for (const frame of frames) {
      let message: HubMessage;
      try {
        message = parseFrame(frame, this.handshakeDone);
      } catch {
        continue;
      }
      this.handle(message);
      if (!this.running) return;
    }
  }

  private handle(message: HubMessage): void {
    switch (message.kind) {
      case 'handshake':
        if (message.error) {
          this.socket?.close(1000);
          return;
        }
        this.handshakeDone = true;
        this.retryMs = FIRST_RETRY_MS;
        this.schedulePing();
        // Changes made while disconnected were not pushed: catch up once after a reconnect.
        if (this.connectedBefore) this.scheduleSync();
        this.connectedBefore = true;
        return;
      case 'notification':
        if (message.type === PushType.LogOut) {
          this.stop();
          this.options.logOut();
        } else if (VAULT_CHANGES.has(message.type)) {
          this.scheduleSync();
        }
        return;
      case 'close':
        // The server closes after it; the close handler reconnects with back-off.
        return;
      default:
        return;
    }
  }

  private schedulePing(): void {
    this.pingTimer = this.timers.set(() => {
      this.pingTimer = null;
      if (!this.running || !this.socket) return;
      this.socket.send(`{"type":6}${RS}`);
      this.schedulePing();
    }, PING_MS);
  }

  /** One sync after the notifications stop arriving for `debounceMs`; one more if any arrive during it. */
  private scheduleSync(): void {
    if (this.syncTimer !== null) this.timers.clear(this.syncTimer);
    this.syncTimer = this.timers.set(() => {
      this.syncTimer = null;
      void this.runSync();
    }, this.debounceMs);
  }

  private async runSync(): Promise<void> {
    if (!this.running) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      await this.options.sync();
    } catch {
      // The Sync button is still there; the next notification tries again.
    } finally {
      this.syncing = false;
    }
    if (this.syncAgain && this.running) {
      this.syncAgain = false;
      this.scheduleSync();
    }
  }
}
