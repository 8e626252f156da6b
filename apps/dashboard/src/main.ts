// The dashboard's entry: header with navigation and the live indicator, and the hash router that
// mounts one view at a time (destroying the previous one: its SSE connection, timers and charts).
import { h, setChildren } from "./dom.ts";
import { parseRoute, routes, type Route } from "./router.ts";
import { onLiveState, type LiveState } from "./sse.ts";
import { runView } from "./views/run.ts";
import { sweepView } from "./views/sweep/index.ts";
import { sweepsView } from "./views/sweeps.ts";
import type { View } from "./views/view.ts";
import { workersView } from "./views/workers.ts";

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: "connecting…",
  open: "live",
  reconnecting: "reconnecting…",
};

function start(): void {
  const nav = h("nav", { class: "nav", aria: { label: "main" } });
  const navLinks = {
    sweeps: h("a", { href: `#${routes.sweeps()}` }, "Sweeps"),
    workers: h("a", { href: `#${routes.workers()}` }, "Workers"),
  };
  setChildren(nav, navLinks.sweeps, navLinks.workers);
  const liveIndicator = h("span", { class: "live", id: "live", role: "status", title: "live updates from the API (server-sent events)" }, "");
  onLiveState((state) => {
    liveIndicator.textContent = LIVE_TEXT[state];
    liveIndicator.dataset.state = state;
    document.body.dataset.live = state;
  });
  const main = h("main", { id: "view" });
  setChildren(document.body, h("header", { class: "top" }, h("a", { class: "brand", href: "#/sweeps" }, "SGAN sweeps"), nav, liveIndicator), main);

  let current: View | null = null;
  const show = () => {
    current?.destroy();
    const route = parseRoute(location.hash);
    const root = h("div", { class: "view", dataset: { view: route.name } });
    setChildren(main, root);
    for (const [name, anchor] of Object.entries(navLinks)) {
      const active = name === route.name || (name === "sweeps" && (route.name === "sweep" || route.name === "run"));
      if (active) anchor.setAttribute("aria-current", "page");
      else anchor.removeAttribute("aria-current");
    }
    document.title = "SGAN sweeps";
    performance.mark(`${route.name}-mount`);
    current = mount(route, root);
    window.scrollTo(0, 0);
  };
  window.addEventListener("hashchange", show);
  if (!location.hash) history.replaceState(null, "", `#${routes.sweeps()}`);
  show();
}

function mount(route: Route, root: HTMLElement): View {
  switch (route.name) {
    case "sweeps":
      return sweepsView(root, route.page, route.tags);
    case "sweep":
      return sweepView(root, route.id);
    case "run":
      return runView(root, route.id);
    case "workers":
      return workersView(root);
    case "not-found":
      setChildren(root, h("div", { class: "notice notice-error", role: "alert" }, `There is no page ${route.path}. `, h("a", { href: `#${routes.sweeps()}` }, "Go to the sweeps")));
      root.dataset.ready = "true";
      return { destroy() {} };
  }
}

start();
