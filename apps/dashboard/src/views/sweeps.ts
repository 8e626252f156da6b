// #/sweeps: every sweep with its run counts, progress, best result and tags (a tag filters the list);
// the submit form.
import { listSweeps } from "../api.ts";
import { badge, h, link, notice, progressBar, setChildren } from "../dom.ts";
import { ago, dateTime, percent } from "../format.ts";
import { routes } from "../router.ts";
import { AsyncThrottle } from "../scheduler.ts";
import { LiveConnection } from "../sse.ts";
import { DataTable } from "../table.ts";
import { RUN_STATUSES, type SweepItem } from "../../../../libs/results/contract.ts";
import { tagChips } from "./labels.ts";
import { submitPanel } from "./submit-form.ts";
import { isAbort, loadError, markReady, type View } from "./view.ts";

const PAGE_SIZE = 20;
const FINISHED = ["completed", "pruned", "failed", "cancelled", "diverged"] as const;

/** `tags`: only the sweeps that have every one (the route's ?tag=). */
export function sweepsView(root: HTMLElement, page: number, tags: readonly string[]): View {
  const abort = new AbortController();
  const filterBy = (more: string[]) => {
    location.hash = routes.sweeps(1, [...new Set([...tags, ...more])]);
  };
  const listArea = h("div", { class: "sweep-list", dataset: { state: "loading" } }, notice("loading", "Loading sweeps…"));
  const pager = h("nav", { class: "pager", aria: { label: "pages" } });
  const table = new DataTable<SweepItem>({
    id: "sweeps-table",
    rowId: (sweep) => sweep.id,
    columns: [
      { key: "name", label: "Sweep", sort: (s) => s.name, render: (s) => [link(routes.sweep(s.id), s.name), h("div", { class: "sub" }, `${s.strategy}, priority ${s.priority}`)] },
      { key: "status", label: "Status", sort: (s) => s.status, render: (s) => badge(s.status) },
      {
        key: "progress",
        label: "Progress",
        help: "runs finished (completed, pruned, failed, cancelled or diverged) of all runs",
        sort: (s) => fraction(s),
        render: (s) => {
          const total = totalRuns(s);
          const done = finishedRuns(s);
          return [progressBar(total ? done / total : 0, `${done} of ${total} runs finished`), h("div", { class: "sub" }, `${done} / ${total} runs`)];
        },
      },
      {
        key: "counts",
        label: "Runs by status",
        render: (s) => h("span", { class: "counts" }, ...RUN_STATUSES.filter((status) => s.counts[status] > 0).map((status) => h("span", { class: `count status-${status}`, title: status }, `${s.counts[status]} ${status}`))),
      },
      {
        key: "best",
        label: "Best final acc",
        help: "the completed run with the highest final test accuracy",
        numeric: true,
        sort: (s) => s.best?.finalTestAccuracy ?? null,
        render: (s) => (s.best ? link(routes.run(s.best.runId), percent(s.best.finalTestAccuracy)) : "–"),
      },
      { key: "created", label: "Created", sort: (s) => Date.parse(s.createdAt), render: (s) => h("time", { attrs: { datetime: s.createdAt }, title: dateTime(s.createdAt) }, ago(s.createdAt)) },
      { key: "tags", label: "Tags", help: "click a tag to list only the sweeps that have it", render: (s) => tagChips(s.tags, (tag) => filterBy([tag])) },
    ],
    initialSort: { key: "created", direction: "desc" },
  });

  const load = async () => {
    const list = await listSweeps(page, PAGE_SIZE, tags, abort.signal);
    listArea.dataset.state = "loaded";
    if (list.total === 0 && tags.length > 0) {
      setChildren(listArea, notice("empty", `No sweep has every one of these tags: ${tags.join(", ")}.`));
    } else if (list.total === 0) {
      setChildren(
        listArea,
        notice("empty", "No sweeps yet: submit one with the form below or ", h("code", null, "sweeps submit examples/seed-study.yaml"), "."),
      );
    } else {
      table.setRows(list.items);
      setChildren(listArea, table.element);
    }
    const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    setChildren(
      pager,
      page > 1 ? link(routes.sweeps(page - 1, tags), "← newer") : null,
      h("span", null, ` page ${page} of ${pages} (${list.total} sweep${list.total === 1 ? "" : "s"}) `),
      page < pages ? link(routes.sweeps(page + 1, tags), "older →") : null,
    );
  };

  const refresh = new AsyncThrottle(load, 3000);
  const live = new LiveConnection("/api/events", {
    onEvent: (event) => {
      if (event.type === "run-status" || event.type === "run-epoch" || event.type === "labels") refresh.request();
    },
    onResync: () => refresh.request(),
  });

  setChildren(
    root,
    h("header", { class: "page-head" }, h("h1", null, "Sweeps"), h("p", { class: "lede" }, "Hyperparameter sweeps of SGAN training, newest first. Statuses update live.")),
    h("section", { class: "panel" }, tagFilter(tags, filterBy), listArea, pager),
    submitPanel((sweepId) => {
      location.hash = routes.sweep(sweepId);
    }),
  );

  const first = () =>
    load().then(
      () => markReady(root, "sweeps"),
      (error) => {
        if (isAbort(error)) return;
        listArea.dataset.state = "error";
        setChildren(listArea, loadError(error, () => void first()));
        markReady(root, "sweeps");
      },
    );
  void first();

  return {
    destroy() {
      abort.abort();
      refresh.cancel();
      live.close();
    },
  };
}

/** The tags the list is filtered by, each with × to drop it, and a box to add one. */
function tagFilter(tags: readonly string[], filterBy: (more: string[]) => void): HTMLElement {
  const input = h("input", { type: "search", name: "tag", aria: { label: "filter by tag" }, attrs: { placeholder: "filter by tag", autocomplete: "off" } });
  const form = h("form", { class: "tag-filter", role: "search" }, input, h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const more = input.value.split(/[\s,]+/).filter((tag) => tag !== "");
    if (more.length > 0) filterBy(more);
  });
  const active = tags.map((tag) =>
    h("span", { class: "tag", dataset: { tag } }, tag, link(routes.sweeps(1, tags.filter((other) => other !== tag)), h("span", { class: "tag-remove", title: `drop the filter ${tag}`, aria: { label: `drop the filter ${tag}` } }, "×"))),
  );
  return h("div", { class: "filter-row" }, form, ...(tags.length > 0 ? [h("span", { class: "tags active-filter" }, "Tagged ", ...active), link(routes.sweeps(), "show all")] : []));
}

function totalRuns(sweep: SweepItem): number {
  return RUN_STATUSES.reduce((sum, status) => sum + sweep.counts[status], 0);
}

function finishedRuns(sweep: SweepItem): number {
  return FINISHED.reduce((sum, status) => sum + sweep.counts[status], 0);
}

function fraction(sweep: SweepItem): number {
  const total = totalRuns(sweep);
  return total ? finishedRuns(sweep) / total : 0;
}
