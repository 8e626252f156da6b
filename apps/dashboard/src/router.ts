// Hash routes: #/sweeps (?page=, ?tag=), #/sweeps/:id, #/runs/:id, #/workers. Pure parsing, unit-testable.

export type Route =
  | { name: "sweeps"; page: number; tags: string[] }
  | { name: "sweep"; id: string }
  | { name: "run"; id: string }
  | { name: "workers" }
  | { name: "not-found"; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const [path, query = ""] = raw.split("?", 2);
  const parts = path.split("/").filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "sweeps")) {
    const params = new URLSearchParams(query);
    const page = Number(params.get("page") ?? "1");
    return { name: "sweeps", page: Number.isInteger(page) && page >= 1 ? page : 1, tags: params.getAll("tag").filter((tag) => tag !== "") };
  }
  if (parts.length === 2 && parts[0] === "sweeps") return { name: "sweep", id: parts[1] };
  if (parts.length === 2 && parts[0] === "runs") return { name: "run", id: parts[1] };
  if (parts.length === 1 && parts[0] === "workers") return { name: "workers" };
  return { name: "not-found", path };
}

export const routes = {
  /** With `tags`: the sweeps that have every one of them. */
  sweeps: (page = 1, tags: readonly string[] = []) => {
    const query = new URLSearchParams([...(page === 1 ? [] : [["page", String(page)]]), ...tags.map((tag) => ["tag", tag])]).toString();
    return query === "" ? "/sweeps" : `/sweeps?${query}`;
  },
  sweep: (id: string) => `/sweeps/${encodeURIComponent(id)}`,
  run: (id: string) => `/runs/${encodeURIComponent(id)}`,
  workers: () => "/workers",
};
