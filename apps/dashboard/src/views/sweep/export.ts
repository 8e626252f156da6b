// The sweep's Export control: downloads of GET /api/sweeps/:id/export (docs/results-out.md), plain
// links with the token in the URL where reads are protected, so the browser saves the file itself.
import { urlWithToken } from "../../auth.ts";
import { h } from "../../dom.ts";
import { EXPORT_FORMATS, EXPORT_ROWS } from "../../../../../libs/results/export-table.ts";

export function exportControl(sweepId: string): HTMLElement {
  const links = EXPORT_ROWS.flatMap((rows) =>
    EXPORT_FORMATS.map((format) => {
      const href = urlWithToken(`/api/sweeps/${encodeURIComponent(sweepId)}/export?format=${format}&rows=${rows}`);
      return h("a", { href, attrs: { download: `sweep-${sweepId}-${rows}.${format}` }, dataset: { export: `${rows}-${format}` } }, `${rows} ${format.toUpperCase()}`);
    }),
  );
  return h("span", { class: "sweep-export", title: "Download the runs, or every epoch row, as CSV or JSON" }, "Export: ", ...links.flatMap((link, i) => (i === 0 ? [link] : [" · ", link])));
}
