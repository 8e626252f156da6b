// The run page's confusion matrix of one epoch: true classes as rows, predicted classes as columns,
// each cell shaded by its share of the row, and the class's accuracy (libs/results) at the row's end.
import { withAlpha } from "../colors.ts";
import { h, notice, setChildren } from "../dom.ts";
import { percent } from "../format.ts";
import { classAccuracies, confusionAccuracy, confusionTotal, type ConfusionMatrix, type RunEpochRow } from "../../../../libs/results/contract.ts";
import { EpochChoice } from "./epoch-slider.ts";

const CELL_COLOR = "#0067a5";
/** Above this share of its row a cell's shade is dark enough for white text. */
const DARK_SHARE = 0.55;

export interface ConfusionPanel {
  element: HTMLElement;
  /** Draws the run's epochs (as GET /api/runs/:id/metrics gives them), at the chosen epoch. */
  update(rows: readonly RunEpochRow[]): void;
}

export function confusionPanel(): ConfusionPanel {
  const element = h("div", { class: "confusion" });
  const choice = new EpochChoice();

  function update(rows: readonly RunEpochRow[]): void {
    const measured = rows.filter((row): row is RunEpochRow & { confusion: ConfusionMatrix } => row.confusion !== null);
    if (measured.length === 0) {
      setChildren(element, notice("empty", rows.length === 0 ? "No confusion matrix yet: one is measured on the held-out split after each epoch." : "These epochs were stored before confusion matrices were."));
      return;
    }
    const epochs = measured.map((row) => row.epoch);
    const figure = h("figure", null);
    const show = (epoch: number) => setChildren(figure, ...matrixFigure(epoch, measured.find((row) => row.epoch === epoch)!.confusion));
    show(choice.current(epochs));
    setChildren(element, figure, h("label", { class: "slider" }, "Epoch ", choice.slider("confusion-epoch", "epoch of the confusion matrix", epochs, show)));
  }

  return { element, update };
}

function matrixFigure(epoch: number, matrix: ConfusionMatrix): Node[] {
  const classes = matrix.map((_, c) => String(c));
  const accuracies = classAccuracies(matrix);
  const head = h("tr", null, h("th", { attrs: { scope: "col" }, title: "true class (row) / predicted class (column)" }, "true \\ predicted"), ...classes.map((c) => h("th", { class: "num", attrs: { scope: "col" } }, c)), h("th", { attrs: { scope: "col" } }, "class accuracy"));
  const body = matrix.map((row, trueClass) => {
    const images = row.reduce((sum, count) => sum + count, 0);
    return h(
      "tr",
      { dataset: { trueClass: String(trueClass) } },
      h("th", { class: "num", attrs: { scope: "row" } }, classes[trueClass]),
      ...row.map((count, predicted) => countCell(count, images, trueClass, predicted)),
      accuracyCell(accuracies[trueClass]),
    );
  });
  return [
    h("table", { class: "data-table confusion-matrix", id: "confusion-matrix" }, h("thead", null, head), h("tbody", null, ...body)),
    h("figcaption", null, `after epoch ${epoch}: ${confusionTotal(matrix)} held-out images, ${percent(confusionAccuracy(matrix))} predicted right. Shade: the cell's share of its row.`),
  ];
}

function countCell(count: number, rowImages: number, trueClass: number, predicted: number): HTMLTableCellElement {
  const share = rowImages === 0 ? 0 : count / rowImages;
  return h(
    "td",
    {
      class: `num${share > DARK_SHARE ? " dark" : ""}${trueClass === predicted ? " diagonal" : ""}`,
      title: `${count} of ${rowImages} images of class ${trueClass} predicted as ${predicted} (${percent(share)})`,
      style: { backgroundColor: withAlpha(CELL_COLOR, share) },
    },
    String(count),
  );
}

function accuracyCell(accuracy: number | null): HTMLTableCellElement {
  const bar = h("span", { class: "class-accuracy-bar", style: { width: `${Math.round((accuracy ?? 0) * 100)}%` } });
  return h("td", { class: "class-accuracy" }, h("span", { class: "class-accuracy-track", aria: { hidden: "true" } }, bar), percent(accuracy));
}
