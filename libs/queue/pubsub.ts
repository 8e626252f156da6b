// The live channel's two ends, with one implementation per queue backend: Redis pub/sub, or
// PostgreSQL LISTEN/NOTIFY on the database the runs are stored in. Both are fire and forget: a
// message sent while a subscriber is disconnected is lost, and PostgreSQL keeps the record.
import pg from "pg";
import type { Redis } from "ioredis";

/** Sends messages on a channel. */
export interface Publisher {
  publish(channel: string, message: string): Promise<unknown>;
  /** Resolves when the channel's server answers (the API's health check). */
  ping(): Promise<unknown>;
}

/** Receives the messages of channels on a connection of its own. */
export interface Subscriber {
  subscribe(channel: string, handler: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Redis pub/sub: a subscribed connection can do nothing else, so it is this subscriber's alone.
 * Channels are the deployment's (`<namespace>:<channel>`): Redis has one channel space for every
 * deployment that shares it.
 */
export class RedisSubscriber implements Subscriber {
  /** Channels Redis confirmed, to listen to again on every reconnect. */
  private readonly subscribed = new Set<string>();

  constructor(
    readonly connection: Redis,
    private readonly namespace: string,
  ) {
    // ioredis 6.0 resubscribes after a reconnect without a handler on its SUBSCRIBE's promise
    // (redis/ioredis#2187): a connection closed before Redis answers it rejects that promise with
    // "Connection is closed." unhandled, which ends a Node 20 process. So this subscriber resubscribes
    // itself and sends a failure where ioredis sends its connection errors.
    connection.options.autoResubscribe = false;
    connection.on("ready", () => this.resubscribe());
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    const own = `${this.namespace}:${channel}`;
    this.connection.on("message", (received: string, text: string) => {
      if (received === own) handler(text);
    });
    await this.connection.subscribe(own);
    this.subscribed.add(own);
  }

  private resubscribe(): void {
    if (this.subscribed.size === 0) return;
    this.connection.subscribe(...this.subscribed).catch((error: Error) => this.connection.silentEmit("error", error));
  }

  async close(): Promise<void> {
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

/** Redis PUBLISH on the deployment's channels (`<namespace>:<channel>`), the counterpart of RedisSubscriber. */
export class RedisPublisher implements Publisher {
  constructor(
    private readonly connection: Redis,
    private readonly namespace: string,
  ) {}

  publish(channel: string, message: string): Promise<number> {
    return this.connection.publish(`${this.namespace}:${channel}`, message);
  }

  ping(): Promise<string> {
    return this.connection.ping();
  }
}

/** NOTIFY carries at most 8000 bytes; events and control messages are a few hundred. */
export const NOTIFY_PAYLOAD_LIMIT = 7_999;

/** PostgreSQL NOTIFY through a small pool of its own. */
export class PgPublisher implements Publisher {
  private readonly pool: pg.Pool;

  constructor(connectionString: string, onError: (error: Error) => void = () => undefined) {
    this.pool = new pg.Pool({ connectionString, max: 2, idleTimeoutMillis: 30_000, application_name: "sgan-publisher" });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on("error", onError);
  }

  async publish(channel: string, message: string): Promise<number> {
    if (Buffer.byteLength(message) > NOTIFY_PAYLOAD_LIMIT) throw new Error(`message on ${channel} exceeds PostgreSQL's NOTIFY limit of 8000 bytes`);
    await this.pool.query("SELECT pg_notify($1, $2)", [channel, message]);
    return 1;
  }

  async ping(): Promise<string> {
    await this.pool.query("SELECT 1");
    return "PONG";
  }

  quit(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * PostgreSQL LISTEN on one dedicated connection. When that connection drops (server restart,
 * network), it reconnects with backoff and listens again to every channel it had.
 */
export class PgSubscriber implements Subscriber {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retryMs = 500;
  private closed = false;
  private readonly handlers = new Map<string, Array<(message: string) => void>>();

  constructor(
    private readonly connectionString: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    const known = this.handlers.get(channel);
    if (known) {
      known.push(handler);
      return;
    }
    this.handlers.set(channel, [handler]);
    const client = await this.connect();
    await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, application_name: "sgan-subscriber" });
      client.on("notification", (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? "");
      });
      client.on("error", (error) => {
        this.onError(error);
        this.lost(client);
      });
      client.on("end", () => this.lost(client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        throw new Error("subscriber closed");
      }
      this.client = client;
      return client;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.relisten();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  private async relisten(): Promise<void> {
    if (this.closed) return;
    try {
      const client = await this.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      this.retryMs = 500;
    } catch (error) {
      this.onError(error as Error);
      if (this.client) this.lost(this.client);
      else this.scheduleReconnect();
    }
  }
}
