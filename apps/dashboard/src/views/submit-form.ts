// Submitting a sweep: a form for the common case, or a YAML/JSON config pasted or uploaded. The API
// validates (libs/sweep); its issues are shown next to the field they name.
import { submitSweep } from "../api.ts";
import { h } from "../dom.ts";
import { ApiError, type ApiIssue } from "../../../../libs/results/contract.ts";

export const EXAMPLE_CONFIG = `# batch size and learning rate around the seed's values, 2 repeats each
name: seed-study
strategy: random
seed: 0
samples: 6
repeats: 2
fixed:
  epochs: 3
  dataset: mnist
  imgSize: 28
  limit: 2000
parameters:
  batchSize: { choice: [32, 64, 128] }
  lr: { loguniform: [1.0e-4, 4.0e-4] }
  b1: 0.5
  variant: improved
`;

interface Field {
  name: string;
  /** Issue paths that belong to this field: exact, or starting with it and a dot. */
  paths: string[];
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
}

/** The field an issue path belongs to, by the longest matching prefix; undefined for the general list. */
export function fieldForPath<T extends { paths: string[] }>(fields: readonly T[], path: string): T | undefined {
  let best: T | undefined;
  let bestLength = -1;
  for (const field of fields) {
    for (const prefix of field.paths) {
      if ((path === prefix || path.startsWith(`${prefix}.`)) && prefix.length > bestLength) {
        best = field;
        bestLength = prefix.length;
      }
    }
  }
  return best;
}

/** A number if the text is one, the text itself otherwise (so the API names what it got), nothing if blank. */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

function listOf(text: string): Array<number | string> {
  return text.split(/[,\s]+/).filter(Boolean).map((item) => numberOrText(item)!);
}

export function submitPanel(onSubmitted: (sweepId: string, runs: number) => void): HTMLElement {
  const fields: Field[] = [];
  const field = (name: string, label: string, input: HTMLInputElement | HTMLSelectElement, hint: string, paths: string[]) => {
    const id = `sweep-form-${name}`;
    input.id = id;
    input.setAttribute("name", name);
    const error = h("div", { class: "field-error", dataset: { for: name }, aria: { live: "polite" } });
    input.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
    error.id = `${id}-error`;
    fields.push({ name, paths, input, error });
    return h("div", { class: "field", dataset: { field: name } }, h("label", { for: id }, label), input, h("div", { class: "hint", id: `${id}-hint` }, hint), error);
  };
  const text = (value = "", placeholder = "") => h("input", { type: "text", value, attrs: { placeholder, autocomplete: "off" } });
  const choose = (options: string[], value: string) => {
    const element = h("select");
    for (const option of options) element.appendChild(h("option", { value: option }, option));
    element.value = value;
    return element;
  };

  const name = text("", "e.g. lr-vs-batch");
  const strategy = choose(["random", "grid"], "random");
  const samples = text("6");
  const repeats = text("2");
  const epochs = text("3");
  const limit = text("2000", "all images");
  const batchSizes = text("32, 64, 128");
  const lrLow = text("1e-4");
  const lrHigh = text("4e-4");
  const lrPoints = text("", "needed for grid");
  const variant = choose(["improved", "reference", "both"], "improved");
  const general = h("ul", { class: "form-errors", aria: { live: "polite" } });
  const status = h("p", { class: "form-status", role: "status" });

  const clearErrors = () => {
    for (const item of fields) {
      item.error.replaceChildren();
      item.input.removeAttribute("aria-invalid");
    }
    general.replaceChildren();
    status.textContent = "";
  };

  const showIssues = (issues: ApiIssue[], message: string) => {
    for (const issue of issues) {
      const target = fieldForPath(fields, issue.path);
      if (target) {
        target.input.setAttribute("aria-invalid", "true");
        target.error.appendChild(h("div", null, h("code", null, issue.path), " ", issue.message));
      } else {
        general.appendChild(h("li", null, h("code", null, issue.path), " ", issue.message));
      }
    }
    if (issues.length === 0) general.appendChild(h("li", null, message));
  };

  const formConfig = (): Record<string, unknown> => {
    const low = numberOrText(lrLow.value);
    const high = numberOrText(lrHigh.value);
    const points = numberOrText(lrPoints.value);
    const lr = high === undefined || low === high ? low : { loguniform: [low, high], ...(points === undefined ? {} : { points }) };
    const parameters: Record<string, unknown> = {
      batchSize: { choice: listOf(batchSizes.value) },
      ...(lr === undefined ? {} : { lr }),
      variant: variant.value === "both" ? { choice: ["improved", "reference"] } : variant.value,
    };
    const fixed: Record<string, unknown> = { epochs: numberOrText(epochs.value), limit: numberOrText(limit.value) };
    for (const key of Object.keys(fixed)) if (fixed[key] === undefined) delete fixed[key];
    const config: Record<string, unknown> = {
      name: name.value,
      strategy: strategy.value,
      ...(strategy.value === "random" ? { samples: numberOrText(samples.value) } : {}),
      repeats: numberOrText(repeats.value),
      fixed,
      parameters,
    };
    for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
    return config;
  };

  const keys = submitKeys();
  const submit = async (config: object | string, button: HTMLButtonElement, showErrors: (issues: ApiIssue[], message: string) => void) => {
    clearErrors();
    yamlErrors.replaceChildren();
    button.disabled = true;
    status.textContent = "Submitting…";
    try {
      const result = await submitSweep(config, keys.keyFor(config));
      keys.accepted();
      status.textContent = `Submitted ${result.sweep.name}: ${result.runs.length} runs queued.`;
      onSubmitted(result.sweep.id, result.runs.length);
    } catch (error) {
      status.textContent = "";
      const apiError = error instanceof ApiError ? error : new ApiError(0, (error as Error).message);
      showErrors(apiError.issues, apiError.message);
    } finally {
      button.disabled = false;
    }
  };

  const formButton = h("button", { type: "submit", class: "primary" }, "Submit sweep");
  const form = h(
    "form",
    { id: "sweep-form", class: "sweep-form", attrs: { novalidate: "" } },
    h("div", { class: "field-grid" },
      field("name", "Name", name, "1 to 200 characters", ["name"]),
      field("strategy", "Strategy", strategy, "random draws, or every combination", ["strategy"]),
      field("samples", "Samples", samples, "random: configurations to draw (1–1000)", ["samples"]),
      field("repeats", "Repeats", repeats, "runs per configuration, each its own seed (1–20)", ["repeats", "maxRuns"]),
      field("epochs", "Epochs", epochs, "per run (1–1000)", ["fixed.epochs", "fixed"]),
      field("limit", "Image limit", limit, "train on the first N images (≥ 16); blank: all", ["fixed.limit"]),
      field("batchSize", "Batch sizes", batchSizes, "comma-separated, 2–4096", ["parameters.batchSize"]),
      field("lrLow", "Learning rate from", lrLow, "log-uniform range; equal ends fix it", ["parameters.lr"]),
      field("lrHigh", "Learning rate to", lrHigh, "0 < lr ≤ 1", []),
      field("lrPoints", "LR points", lrPoints, "evenly spaced values (2–100); grid needs it", ["parameters.lr.points"]),
      field("variant", "Variant", variant, "the model variant", ["parameters.variant"]),
    ),
    general,
    h("div", { class: "form-actions" },
      formButton,
      h("button", { type: "button", on: { click: () => { yamlText.value = `${JSON.stringify(formConfig(), null, 2)}\n`; showTab("yaml"); } } }, "Edit as YAML/JSON"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(formConfig(), formButton, showIssues);
  });

  // The YAML/JSON tab: paste, upload, or start from the example.
  const yamlText = h("textarea", { id: "sweep-yaml", name: "config", aria: { label: "sweep config, YAML or JSON", describedby: "sweep-yaml-errors" }, attrs: { rows: "16", spellcheck: "false" } });
  const yamlErrors = h("ul", { id: "sweep-yaml-errors", class: "form-errors field-error", aria: { live: "polite" } });
  const upload = h("input", { type: "file", attrs: { accept: ".yaml,.yml,.json,application/json,application/yaml,text/plain" }, aria: { label: "upload a config file" } });
  upload.addEventListener("change", () => {
    const file = upload.files?.[0];
    if (file) void file.text().then((content) => (yamlText.value = content));
  });
  const yamlButton = h("button", { type: "submit", class: "primary" }, "Submit config");
  const yamlForm = h(
    "form",
    { id: "sweep-yaml-form", class: "sweep-form" },
    yamlText,
    yamlErrors,
    h("div", { class: "form-actions" },
      yamlButton,
      h("label", { class: "upload" }, "Upload a file: ", upload),
      h("button", { type: "button", on: { click: () => (yamlText.value = EXAMPLE_CONFIG) } }, "Insert example"),
    ),
  );
  yamlForm.hidden = true;
  yamlForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(yamlText.value, yamlButton, (issues, message) => {
      if (issues.length === 0) yamlErrors.appendChild(h("li", null, message));
      for (const issue of issues) yamlErrors.appendChild(h("li", null, h("code", null, issue.path), " ", issue.message));
      yamlText.setAttribute("aria-invalid", "true");
    });
  });

  const tabs = h("div", { class: "tabs", role: "tablist" });
  const tabButtons = new Map<string, HTMLButtonElement>();
  const showTab = (tab: "form" | "yaml") => {
    form.hidden = tab !== "form";
    yamlForm.hidden = tab !== "yaml";
    for (const [key, button] of tabButtons) button.setAttribute("aria-selected", String(key === tab));
  };
  for (const [key, label] of [["form", "Form"], ["yaml", "YAML / JSON"]] as const) {
    const button = h("button", { type: "button", role: "tab", dataset: { tab: key }, on: { click: () => showTab(key) } }, label);
    tabButtons.set(key, button);
    tabs.appendChild(button);
  }
  showTab("form");

  const panel = h("section", { class: "panel submit-panel", id: "submit" }, h("h2", null, "Submit a sweep"), tabs, form, yamlForm, status);
  return panel;
}

/**
 * One Idempotency-Key per config until the API accepts it: sending the same config again after an
 * answer was lost (the connection dropped) gets the sweep the first try created, not a second one.
 */
function submitKeys() {
  let pending: { body: string; key: string } | null = null;
  return {
    keyFor(config: object | string): string {
      const body = typeof config === "string" ? config : JSON.stringify(config);
      if (pending?.body !== body) pending = { body, key: randomKey() };
      return pending.key;
    },
    accepted(): void {
      pending = null;
    },
  };
}

/** 128 random bits as hex; crypto.randomUUID needs a secure context, which a dashboard on http://host:3000 is not. */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
