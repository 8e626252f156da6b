// Tags and notes of a sweep or a run: chips, and an editor in place (each change one PATCH through the
// API client, which asks for a token when the API wants one). What people wrote goes in as text nodes.
import { h, setChildren } from "../dom.ts";
import type { LabelsChange } from "../../../../libs/results/labels.ts";
import { failureText } from "./view.ts";

export interface Labels {
  tags: string[];
  note: string | null;
}

/** Tags as chips; with `pick`, each is a button that picks its tag (the sweep list's filter). */
export function tagChips(tags: readonly string[], pick?: (tag: string) => void): HTMLElement {
  const chip = (tag: string) =>
    pick
      ? h("button", { type: "button", class: "tag", title: `only the sweeps tagged ${tag}`, dataset: { tag }, on: { click: () => pick(tag) } }, tag)
      : h("span", { class: "tag", dataset: { tag } }, tag);
  return h("span", { class: "tags" }, ...tags.map(chip));
}

export interface LabelsEditor {
  readonly element: HTMLElement;
  /** Shows these labels, unless the user is in the middle of changing them. */
  show(labels: Labels): void;
}

/**
 * The labels of `what` ("sweep" or "run"), editable: × takes a tag off, the box adds tags (separated
 * by spaces or commas), the note opens in a text box. `save` sends a change and answers what is stored.
 */
export function labelsEditor(what: string, save: (change: LabelsChange) => Promise<Labels>): LabelsEditor {
  const element = h("section", { class: "labels", dataset: { labels: what } });
  const tagArea = h("span", { class: "tags" });
  const tagInput = h("input", { type: "text", name: "add-tags", aria: { label: `add tags to this ${what}` }, attrs: { placeholder: "add tags", autocomplete: "off" } });
  const addForm = h("form", { class: "add-tags" }, tagInput, h("button", { type: "submit" }, "Add"));
  const noteArea = h("div", { class: "note-area" });
  const error = h("p", { class: "labels-error", role: "alert", attrs: { hidden: "" } });
  let current: Labels = { tags: [], note: null };
  let editingNote = false;

  async function change(body: LabelsChange): Promise<boolean> {
    error.hidden = true;
    try {
      current = await save(body);
      render();
      return true;
    } catch (failure) {
      error.textContent = `Not saved: ${failureText(failure)}`;
      error.hidden = false;
      return false;
    }
  }

  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const addTags = tagInput.value.split(/[\s,]+/).filter((tag) => tag !== "");
    if (addTags.length === 0) return;
    void change({ addTags }).then((saved) => {
      if (saved) tagInput.value = "";
    });
  });

  function renderTags(): void {
    const chip = (tag: string) =>
      h("span", { class: "tag", dataset: { tag } }, tag, h("button", { type: "button", class: "tag-remove", title: `remove tag ${tag}`, aria: { label: `remove tag ${tag}` }, on: { click: () => void change({ removeTags: [tag] }) } }, "×"));
    setChildren(tagArea, ...(current.tags.length > 0 ? current.tags.map(chip) : [h("span", { class: "muted" }, "none")]));
  }

  function renderNote(): void {
    if (editingNote) {
      const box = h("textarea", { name: "note", aria: { label: `note on this ${what}` }, attrs: { rows: "4", maxlength: "2000" } });
      box.value = current.note ?? "";
      const done = (saved: boolean) => {
        if (!saved) return;
        editingNote = false;
        renderNote();
      };
      setChildren(
        noteArea,
        box,
        h("span", { class: "note-actions" },
          h("button", { type: "button", dataset: { action: "save-note" }, on: { click: () => void change({ note: box.value }).then(done) } }, "Save note"),
          h("button", { type: "button", on: { click: () => done(true) } }, "Cancel"),
        ),
      );
      box.focus();
      return;
    }
    setChildren(
      noteArea,
      current.note === null ? h("span", { class: "muted" }, "no note") : h("p", { class: "note-text" }, current.note),
      h("button", { type: "button", dataset: { action: "edit-note" }, on: { click: () => openNote() } }, current.note === null ? "Add note" : "Edit note"),
    );
  }

  function openNote(): void {
    editingNote = true;
    renderNote();
  }

  function render(): void {
    renderTags();
    if (!editingNote) renderNote();
  }

  setChildren(element, h("div", { class: "tag-row" }, h("strong", null, "Tags: "), tagArea, addForm), h("div", { class: "note-row" }, h("strong", null, "Note: "), noteArea), error);
  render();
  return {
    element,
    show(labels) {
      current = labels;
      render();
    },
  };
}
