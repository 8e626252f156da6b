// The API token, when the API asks for one (401): a small form asks for it once, and it is kept in
// sessionStorage for this tab's session. Fetches send it as a Bearer header; what the browser loads
// by URL (the event stream, sample images) carries it as ?token=.
import { h } from "./dom.ts";

const STORAGE_KEY = "sgan-api-token";

export function apiToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage disabled: the token lasts as long as the page.
  }
  memoryToken = token;
}

let memoryToken: string | null = null;

function currentToken(): string | null {
  return apiToken() ?? memoryToken;
}

/** Headers with the token's Authorization, when there is one. */
export function withToken(headers: HeadersInit | undefined): Headers {
  const result = new Headers(headers);
  const token = currentToken();
  if (token !== null) result.set("Authorization", `Bearer ${token}`);
  return result;
}

/** `url` with ?token= added, when there is a token: for EventSource and <img>, which cannot set headers. */
export function urlWithToken(url: string): string {
  const token = currentToken();
  if (token === null) return url;
  return `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

let pending: Promise<void> | null = null;

/**
 * Asks for the token (once, however many requests were refused meanwhile) and resolves when one is
 * entered. `message` is the API's reason, shown above the field.
 */
export function askForToken(message: string, hadToken: boolean): Promise<void> {
  if (hadToken) storeToken(null);
  pending ??= new Promise<void>((resolve) => {
    const input = h("input", { id: "api-token", type: "password", name: "token", attrs: { autocomplete: "current-password", required: "" }, aria: { label: "API token" } });
    const form = h(
      "form",
      { class: "token-form", id: "token-form" },
      h("h2", null, "API token needed"),
      h("p", null, hadToken ? "The API refused the token: enter another one." : "This API needs a token to show its data."),
      h("p", { class: "token-reason" }, message),
      h("label", { for: "api-token" }, "Token "),
      input,
      " ",
      h("button", { type: "submit", class: "primary" }, "Use token"),
      h("p", { class: "token-note" }, "Kept for this browser tab's session only."),
    );
    const overlay = h("div", { class: "token-overlay", role: "dialog", aria: { modal: "true", label: "API token" } }, form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === "") return;
      storeToken(token);
      overlay.remove();
      pending = null;
      resolve();
    });
    document.body.append(overlay);
    input.focus();
  });
  return pending;
}
