// Building DOM without innerHTML: text always goes in as text nodes, so a sweep name or a
// hyperparameter value can never become markup.

export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  id?: string;
  title?: string;
  href?: string;
  type?: string;
  name?: string;
  value?: string;
  role?: string;
  for?: string;
  dataset?: Record<string, string>;
  aria?: Record<string, string>;
  attrs?: Record<string, string>;
  style?: Partial<CSSStyleDeclaration>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** An element with attributes and children; strings and numbers become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (attrs) applyAttrs(element, attrs);
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces the element's children. */
export function setChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Sets text only when it changed, so live updates do not touch the layout needlessly. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function applyAttrs(element: HTMLElement, attrs: Attrs): void {
  if (attrs.class) element.className = attrs.class;
  if (attrs.id) element.id = attrs.id;
  if (attrs.title) element.title = attrs.title;
  if (attrs.role) element.setAttribute("role", attrs.role);
  if (attrs.href !== undefined) element.setAttribute("href", attrs.href);
  if (attrs.type !== undefined) element.setAttribute("type", attrs.type);
  if (attrs.name !== undefined) element.setAttribute("name", attrs.name);
  if (attrs.for !== undefined) element.setAttribute("for", attrs.for);
  if (attrs.value !== undefined) (element as HTMLInputElement).value = attrs.value;
  for (const [key, value] of Object.entries(attrs.dataset ?? {})) element.dataset[key] = value;
  for (const [key, value] of Object.entries(attrs.aria ?? {})) element.setAttribute(`aria-${key}`, value);
  for (const [key, value] of Object.entries(attrs.attrs ?? {})) element.setAttribute(key, value);
  if (attrs.style) Object.assign(element.style, attrs.style);
  for (const [type, listener] of Object.entries(attrs.on ?? {})) element.addEventListener(type, listener as EventListener);
}

/** A link inside the dashboard: route is the hash path, e.g. "/runs/<id>". */
export function link(route: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href: `#${route}` }, ...children);
}

/** An inline SVG line sample in a series' colour and dash, for legends and table rows. */
export function lineSwatch(color: string, dash: readonly number[], title?: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "10");
  svg.setAttribute("class", "swatch");
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS(ns, "line");
  line.setAttribute("x1", "1");
  line.setAttribute("x2", "27");
  line.setAttribute("y1", "5");
  line.setAttribute("y2", "5");
  line.setAttribute("stroke", color);
  line.setAttribute("stroke-width", "2.5");
  if (dash.length > 0) line.setAttribute("stroke-dasharray", dash.join(" "));
  svg.appendChild(line);
  if (title) {
    const tooltip = document.createElementNS(ns, "title");
    tooltip.textContent = title;
    svg.appendChild(tooltip);
  }
  return svg;
}

/** A progress bar with its value for assistive technology and tests. */
export function progressBar(fraction: number, label: string): HTMLDivElement {
  const bar = h("div", { class: "progress", role: "progressbar", aria: { valuemin: "0", valuemax: "100", label } });
  const fill = h("div", { class: "progress-fill" });
  bar.appendChild(fill);
  setProgress(bar, fraction, label);
  return bar;
}

export function setProgress(bar: HTMLElement, fraction: number, label: string): void {
  const pct = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * 1000) / 10;
  bar.setAttribute("aria-valuenow", String(pct));
  bar.setAttribute("aria-valuetext", label);
  bar.title = label;
  const fill = bar.firstElementChild as HTMLElement | null;
  if (fill) fill.style.width = `${pct}%`;
}

/** A status badge: colour from the stylesheet, by status name. */
export function badge(status: string): HTMLSpanElement {
  return h("span", { class: `badge status-${status.replace(/[^a-z-]/g, "")}` }, status);
}

/** A message for an empty or failed view, saying what to do. */
export function notice(kind: "empty" | "error" | "loading", ...children: Child[]): HTMLDivElement {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}
