// BullMQ's admin view (bull-board) served with nothing from outside: its page template
// (@bull-board/ui dist/index.ejs) links IBM Plex from Google Fonts, which fails offline
// (ERR_NAME_NOT_RESOLVED) and tells a third party who opens the page. The rendered page is sent
// without that link; the view falls back to the system's sans-serif and monospace fonts.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { RequestHandler, Response } from "express";
import type { Queue } from "bullmq";

/** A <link> (stylesheet, icon, preload) to another host; bull-board's template has one, to Google Fonts. */
const OUTSIDE_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi;

/** The page without links to other hosts. */
export function withoutOutsideLinks(html: string): string {
  return html.replace(OUTSIDE_LINK, "");
}

/** The admin view of `queue`, mounted at `basePath`. */
export function bullBoard(queue: Queue, basePath: string): RequestHandler[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter });
  return [offlinePage, serverAdapter.getRouter() as RequestHandler];
}

/** bull-board renders its page with res.render(view, params): that one call renders, then sends the page without outside links. */
const offlinePage: RequestHandler = (_req, res, next) => {
  const render = res.render.bind(res) as (view: string, options: object, callback: (error: Error | null, html: string) => void) => void;
  (res as Response & { render: unknown }).render = (view: string, options: object = {}) =>
    render(view, options, (error, html) => (error ? next(error) : res.type("html").send(withoutOutsideLinks(html))));
  next();
};
