// A slider over the epochs a run page panel can show (sample grids, confusion matrices): it follows
// new epochs while the reader leaves it at the latest one and stays where they moved it otherwise.
import { h } from "../dom.ts";

export class EpochChoice {
  private chosen: number | null = null;
  private followLatest = true;

  /** The epoch to show among `epochs` (ascending, not empty). */
  current(epochs: readonly number[]): number {
    if (this.chosen === null || !epochs.includes(this.chosen) || this.followLatest) this.chosen = epochs[epochs.length - 1];
    return this.chosen;
  }

  /** A range input over `epochs` at the current one; `onChoose` hears each epoch the reader moves to. */
  slider(id: string, label: string, epochs: readonly number[], onChoose: (epoch: number) => void): HTMLInputElement {
    const slider = h("input", { type: "range", id, value: String(epochs.indexOf(this.current(epochs))), attrs: { min: "0", max: String(epochs.length - 1), step: "1" }, aria: { label } });
    slider.addEventListener("input", () => {
      const index = Number(slider.value);
      this.chosen = epochs[index];
      this.followLatest = index === epochs.length - 1;
      onChoose(this.chosen);
    });
    return slider;
  }
}
