import type { Request, Response } from "express";
import type { LiveEvent } from "../../libs/results/index.ts";

const KEEPALIVE_MS = 15_000;

interface Client {
  res: Response;
  sweepId: string | null;
}

/** Fans live events out to server-sent-event clients, optionally filtered to one sweep. */
export class SseHub {
  private readonly clients = new Set<Client>();
  private readonly keepalive = setInterval(() => this.broadcastComment("keepalive"), KEEPALIVE_MS);

  attach(req: Request, res: Response, sweepId: string | null): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 3000\n: connected\n\n");
    const client = { res, sweepId };
    this.clients.add(client);
    req.on("close", () => this.clients.delete(client));
  }

  publish(event: LiveEvent): void {
    const sweepId = "sweepId" in event ? event.sweepId : null;
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) {
      if (client.sweepId === null || sweepId === null || client.sweepId === sweepId) client.res.write(frame);
    }
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private broadcastComment(text: string): void {
    for (const client of this.clients) client.res.write(`: ${text}\n\n`);
  }
}
