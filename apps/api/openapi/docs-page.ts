// The API's documentation page: the OpenAPI document rendered to HTML on the server, one page with
// no script and nothing loaded from anywhere (its style is inline, its icon empty, so a browser does
// not even ask for /favicon.ico), so it works on a machine with no outside network and under a
// Content-Security-Policy that allows nothing else.
import type { HttpMethod } from "../route-table.ts";
import type { JsonSchema } from "./json-schema.ts";
import type { MediaObject, OpenApiDocument, Operation, Parameter } from "./document.ts";

/** What the page may load: nothing but its own inline style. */
export const DOCS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const METHODS = ["get", "post", "patch", "delete"] as const satisfies readonly HttpMethod[];

export function renderDocsPage(document: OpenApiDocument, documentUrl: string): string {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method]! })),
  );
  const tags = (document.tags as Array<{ name: string; description: string }>).filter((tag) => operations.some(({ operation }) => operation.tags.includes(tag.name)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(document.info.title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escape(document.info.title)} <small>${escape(document.info.version)} &middot; OpenAPI ${escape(document.openapi)}</small></h1>
<p>${escape(document.info.description)}</p>
<p>The document: <a href="${escape(documentUrl)}">${escape(documentUrl)}</a></p>
<nav>${tags.map((tag) => `<a href="#tag-${escape(tag.name)}">${escape(tag.name)}</a>`).join(" ")} <a href="#components">schemas</a></nav>
</header>
<main>
${tags
  .map(
    (tag) => `<section id="tag-${escape(tag.name)}">
<h2>${escape(tag.name)}</h2>
<p>${escape(tag.description)}</p>
${operations
  .filter(({ operation }) => operation.tags.includes(tag.name))
  .map(({ path, method, operation }) => renderOperation(path, method, operation))
  .join("\n")}
</section>`,
  )
  .join("\n")}
<section id="components">
<h2>schemas</h2>
${Object.entries(document.components.schemas)
  .map(([name, schema]) => `<details id="schema-${escape(name)}"><summary><code>${escape(name)}</code></summary>${renderJson(schema)}</details>`)
  .join("\n")}
</section>
</main>
</body>
</html>
`;
}

function renderOperation(path: string, method: string, operation: Operation): string {
  const security = operation.security.length === 0 ? "open" : `needs a token: ${operation.security.map((scheme) => Object.keys(scheme).join(" + ")).join(" or ")}`;
  return `<article id="${escape(operation.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p class="summary">${escape(operation.summary)} <span class="access">${escape(security)}</span></p>
${operation.description ? `<p>${escape(operation.description)}</p>` : ""}
${operation.parameters ? renderParameters(operation.parameters) : ""}
${operation.requestBody ? renderBody(operation.requestBody) : ""}
<h4>Answers</h4>
<dl>${Object.entries(operation.responses)
    .map(([status, answer]) => `<dt>${escape(status)}</dt><dd>${escape(answer.description)}${answer.content ? ` <code>${Object.keys(answer.content).map(escape).join(", ")}</code>` : ""}</dd>`)
    .join("")}</dl>
</article>`;
}

function renderParameters(parameters: Parameter[]): string {
  const rows = parameters
    .map(
      (parameter) =>
        `<tr><td><code>${escape(parameter.name)}</code></td><td>${parameter.in}</td><td>${parameter.required ? "yes" : ""}</td><td>${schemaLine(parameter.schema)}</td>` +
        `<td>${escape(parameter.description ?? "")}</td><td>${parameter.example === undefined ? "" : `<code>${escape(JSON.stringify(parameter.example))}</code>`}</td></tr>`,
    )
    .join("");
  return `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>about</th><th>example</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderBody(body: NonNullable<Operation["requestBody"]>): string {
  return `<h4>Request body${body.required ? "" : " (optional)"}</h4><p>${escape(body.description)}</p>${Object.entries(body.content)
    .map(([mediaType, media]) => `<div class="media"><p><code>${escape(mediaType)}</code>: ${schemaLine(media.schema)}</p>${renderExamples(media)}</div>`)
    .join("")}`;
}

function renderExamples(media: MediaObject): string {
  return Object.values(media.examples ?? {})
    .map((example) => `<details><summary>example: ${escape(example.summary)}</summary>${typeof example.value === "string" ? `<pre>${escape(example.value)}</pre>` : renderJson(example.value)}</details>`)
    .join("");
}

/** One line a person reads: the type with its bounds, or a link to the named schema. */
function schemaLine(schema: JsonSchema): string {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop()!;
    return `<a href="#schema-${escape(name)}">${escape(name)}</a>`;
  }
  if (schema.contentSchema) return `YAML or JSON text of ${schemaLine(schema.contentSchema as JsonSchema)}`;
  const facts: string[] = [];
  if (Array.isArray(schema.enum)) facts.push(`one of ${schema.enum.map((value) => JSON.stringify(value)).join(", ")}`);
  else if (schema.type !== undefined) facts.push([schema.type].flat().join(" or "));
  if (schema.format) facts.push(String(schema.format));
  if (schema.minimum !== undefined || schema.maximum !== undefined) facts.push(`${schema.minimum ?? ""}..${schema.maximum ?? ""}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined) facts.push(`${schema.minLength ?? 0}..${schema.maxLength ?? ""} characters`);
  // A format (uuid) says what its long pattern spells out.
  if (schema.pattern && !schema.format) facts.push(`matching ${schema.pattern}`);
  if (schema.default !== undefined) facts.push(`default ${JSON.stringify(schema.default)}`);
  return escape(facts.join(", ") || "any");
}

function renderJson(value: unknown): string {
  return `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header,main{max-width:1100px;margin:0 auto;padding:0 24px}
header{padding-top:16px}h1 small{font-size:55%;color:#5b6575;font-weight:normal}
nav a{margin-right:12px}
article{background:#fff;border:1px solid #d9dee6;border-radius:6px;padding:4px 16px 12px;margin:12px 0}
h3{font-size:16px;margin:12px 0 4px}h4{margin:12px 0 4px;font-size:14px}
.method{display:inline-block;min-width:58px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px;margin-right:6px}
.method.get{background:#2f6fb4}.method.post{background:#2f8a4e}.method.patch{background:#a06a1c}.method.delete{background:#b23b3b}
.summary{margin:0}.access{color:#5b6575;font-size:13px;margin-left:8px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e6e9ee;text-align:left;padding:4px 8px;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dt{font-weight:600}dd{margin:0}
pre{background:#f1f3f6;padding:8px;overflow:auto;font-size:12px;max-height:420px}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
details{margin:4px 0}summary{cursor:pointer}
`;
