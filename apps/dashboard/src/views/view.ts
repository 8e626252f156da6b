import { isAbort } from "../api.ts";
import { ApiError } from "../../../../libs/results/contract.ts";
import { h, notice } from "../dom.ts";

/** A mounted page; destroy() closes its live connection, timers and charts. */
export interface View {
  destroy(): void;
}

/** A failed load, said plainly, with a way to try again. */
export function loadError(error: unknown, retry: () => void): HTMLElement {
  const message = error instanceof ApiError ? error.message : (error as Error)?.message ?? String(error);
  return notice(
    "error",
    h("strong", null, "Could not load this page: "),
    message,
    " ",
    h("button", { type: "button", on: { click: retry } }, "Try again"),
  );
}

/** What a write's error says: the API's message, or the fields it names when it refused the input. */
export function failureText(error: unknown): string {
  if (error instanceof ApiError && error.issues.length > 0) return error.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return (error as Error).message;
}

export { isAbort };

/** Marks the view rendered (tests and the benchmark wait for it) once the browser has painted it. */
export function markReady(root: HTMLElement, name: string): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      root.dataset.ready = "true";
      performance.mark(`${name}-ready`);
    }),
  );
}

/** A section with a heading. */
export function section(title: string, className: string, ...children: Array<Node | string | null>): HTMLElement {
  return h("section", { class: `panel ${className}` }, h("h2", null, title), ...children);
}

/** The value of a control as it changes. */
export function onInput<E extends HTMLInputElement | HTMLSelectElement>(element: E, handler: (value: string) => void): E {
  element.addEventListener(element instanceof HTMLSelectElement ? "change" : "input", () => handler(element.value));
  return element;
}

export function select(name: string, options: Array<{ value: string; label: string }>, value: string, label: string): HTMLSelectElement {
  const element = h("select", { name, aria: { label } });
  for (const option of options) element.appendChild(h("option", { value: option.value }, option.label));
  element.value = value;
  return element;
}

/** Runs work and records how long it took as a performance measure (seen in devtools and the benchmark). */
export function timed<T>(name: string, work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    performance.measure(name, { start, end: performance.now() });
  }
}
