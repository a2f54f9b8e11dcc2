// Live sync: one connection to the server's notifications hub (/notifications/hub) while the vault is unlocked,
// through the official SignalR client configured as the Bitwarden clients configure theirs (WebSockets without
// negotiation, the MessagePack hub protocol). A change made on another device arrives as a notification naming only
// what changed; the vault then runs one full sync, debounced so that an import's burst of notifications costs one
// download. The hub never carries vault data, so nothing here decrypts anything.
//
// Kept free of the vault and the DOM (app.ts wires it in) so that the connection and the timers can be faked in
// tests. The client puts the access token in the query string, as browsers cannot set headers on a WebSocket; its
// logging is off, so the token is never logged.

import { HttpTransportType, HubConnectionBuilder, LogLevel, type IRetryPolicy, type RetryContext } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

/** Push types from the server's PushType enum (src/Coffer.Server/Notifications/Notification.cs). */
export const PushType = {
  SyncCipherUpdate: 0,
  SyncCipherCreate: 1,
  SyncLoginDelete: 2,
  SyncFolderDelete: 3,
  SyncCiphers: 4,
  SyncVault: 5,
  SyncOrgKeys: 6,
  SyncFolderCreate: 7,
  SyncFolderUpdate: 8,
  SyncSettings: 10,
  LogOut: 11,
  SyncSendCreate: 12,
  SyncSendUpdate: 13,
  SyncSendDelete: 14,
} as const;

// Organization items come as SyncCipherCreate/Update with an OrganizationId; a membership confirmed, changed,
// revoked or removed as SyncOrgKeys (organizations doc §10). Every one of them means a full sync: the organization
// keys, collections and per-caller access all come with it. A Send created, changed (a recipient opened it) or
// deleted elsewhere (12–14, sharing doc §3.12) syncs too.
const VAULT_CHANGES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14]);

/** The part of SignalR's HubConnection this module uses. */
export interface HubLike {
  on(method: string, handler: (message: unknown) => void): void;
  onreconnected(callback: () => void): void;
  onclose(callback: (error?: Error) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface LiveSyncOptions {
  /** A current access token; the api module refreshes it when it has expired. Asked for at every (re)connect. */
  accessToken: () => Promise<string>;
  /** Re-downloads the vault (the list redraws from the vault's change event). */
  sync: () => Promise<void>;
  /** Ends the session on this device, as the app's own log-out does. */
  logOut: () => void;
  /** The hub's http:/https: address. */
  url: string;
  connect?: (url: string, accessToken: () => Promise<string>) => HubLike;
  timers?: Timers;
  debounceMs?: number;
}

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;

/** Back-off between attempts: 1 s doubling to 30 s, for as long as the vault stays unlocked. */
export function retryDelay(previousAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(previousAttempts, 5), LAST_RETRY_MS);
}

const retryForever: IRetryPolicy = {
  nextRetryDelayInMilliseconds: (context: RetryContext) => retryDelay(context.previousRetryCount),
};

/** The official client as the Bitwarden clients build it (notifications doc §12), with automatic reconnect. */
export function signalRConnection(url: string, accessToken: () => Promise<string>): HubLike {
  return new HubConnectionBuilder()
    .withUrl(url, { accessTokenFactory: accessToken, skipNegotiation: true, transport: HttpTransportType.WebSockets })
    .withHubProtocol(new MessagePackHubProtocol())
    .withAutomaticReconnect(retryForever)
    .configureLogging(LogLevel.None)
    .build();
}

/** The notification's Type, read as the Bitwarden clients read keys (PascalCase first). */
export function notificationType(message: unknown): number | null {
  if (typeof message !== 'object' || message === null) return null;
  const fields = message as { Type?: unknown; type?: unknown };
  const type = fields.Type ?? fields.type;
  return typeof type === 'number' ? type : null;
}

export class LiveSync {
  private readonly connectHub: (url: string, accessToken: () => Promise<string>) => HubLike;
  private readonly timers: Timers;
  private readonly debounceMs: number;
  private running = false;
  private hub: HubLike | null = null;
  private attempts = 0;
  private retryTimer: unknown = null;
  private syncTimer: unknown = null;
  private syncing = false;
  private syncAgain = false;

  constructor(private readonly options: LiveSyncOptions) {
    this.connectHub = options.connect ?? signalRConnection;
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
    this.attempts = 0;
    void this.connect(false);
  }

  /** Closes the connection and cancels every timer: nothing runs while the vault is locked. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const t of [this.retryTimer, this.syncTimer]) if (t !== null) this.timers.clear(t);
    this.retryTimer = this.syncTimer = null;
    const hub = this.hub;
    this.hub = null;
    void hub?.stop().catch(() => {});
  }

  private async connect(catchUp: boolean): Promise<void> {
    if (!this.running) return;
    const hub = this.connectHub(this.options.url, this.options.accessToken);
    this.hub = hub;
    hub.on('ReceiveMessage', (message) => {
      if (this.hub === hub) this.receive(notificationType(message));
    });
    // Changes made while disconnected were not pushed: catch up once after a reconnect.
    hub.onreconnected(() => {
      if (this.hub === hub) this.scheduleSync();
    });
    // Reached when automatic reconnect cannot help: the first start failed, or the server ended the connection
    // (shutdown, or a close without reconnect). Start over with back-off while the vault is unlocked.
    hub.onclose(() => {
      if (this.hub !== hub) return;
      this.hub = null;
      this.retry();
    });
    try {
      await hub.start();
    } catch {
      if (this.hub === hub) {
        this.hub = null;
        this.retry();
      }
      return;
    }
    if (this.hub !== hub) {
      void hub.stop().catch(() => {});
      return;
    }
    this.attempts = 0;
    if (catchUp) this.scheduleSync();
  }

  private retry(): void {
    if (!this.running) return;
    const delay = retryDelay(this.attempts++);
    this.retryTimer = this.timers.set(() => {
      this.retryTimer = null;
      void this.connect(true);
    }, delay);
  }

  private receive(type: number | null): void {
    if (type === PushType.LogOut) {
      this.stop();
      this.options.logOut();
    } else if (type !== null && VAULT_CHANGES.has(type)) {
      this.scheduleSync();
    }
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
