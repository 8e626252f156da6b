import { DOCS_PAGE_CSP, renderDocsPage } from "../openapi/docs-page.ts";
import type { OpenApiDocument } from "../openapi/document.ts";
import type { ApiRoute } from "../route-table.ts";

export const OPENAPI_PATH = "/api/openapi.json";

/**
 * The document and its page, open like the dashboard's files (they hold no data). `document` is
 * asked once, at the first request: it describes the whole route table, these routes included.
 */
export function documentationRoutes(document: () => OpenApiDocument): ApiRoute[] {
  let page: string | null = null;
  return [
    {
      method: "get",
      path: OPENAPI_PATH,
      tag: "documentation",
      summary: "This API's OpenAPI 3.1 document",
      description: "Generated from the route table and the zod schemas that validate each request.",
      access: "open",
      responses: { 200: { description: "the document" } },
      handler: (_req, res) => {
        res.json(document());
      },
    },
    {
      method: "get",
      path: "/api/docs",
      tag: "documentation",
      summary: "The document as a page to read",
      description: "Rendered on the server: no script, and nothing loaded from elsewhere.",
      access: "open",
      responses: { 200: { description: "the page", contentType: "text/html" } },
      handler: (_req, res) => {
        page ??= renderDocsPage(document(), OPENAPI_PATH);
        res.set("Content-Security-Policy", DOCS_PAGE_CSP).type("html").send(page);
      },
    },
  ];
}
