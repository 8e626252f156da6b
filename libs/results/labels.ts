// What a person pins on a sweep or a run to find it again: tags (short labels the lists filter by)
// and a note. The sweep config (libs/sweep) takes both at submit; PATCH /api/sweeps/:id and
// /api/runs/:id change them later. Both validate with these schemas.
import { z } from "zod";

export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 40;
export const MAX_NOTE_CHARS = 2000;

/** A letter or digit first, so that `+tag` and `-tag` on the command line read as add and remove. */
const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/** Control characters, except the line breaks and tabs a note is laid out with. */
const NOTE_CONTROL = /(?![\n\t])\p{Cc}/u;

export const tagSchema = z
  .string()
  .min(1, "is empty: a tag has 1 character or more")
  .max(MAX_TAG_CHARS, `is longer than ${MAX_TAG_CHARS} characters: shorten it`)
  .regex(TAG_PATTERN, "is no tag: letters, digits and _ . : - only, a letter or digit first (e.g. baseline, lr:1e-3)");

const tagListSchema = z.array(tagSchema).max(MAX_TAGS, `has more than ${MAX_TAGS} tags: keep at most ${MAX_TAGS}`);

/** Tags in the order given, each once. */
export const tagsSchema = tagListSchema.transform((tags) => [...new Set(tags)]);

export const noteSchema = z
  .string()
  .max(MAX_NOTE_CHARS, `is longer than ${MAX_NOTE_CHARS} characters: shorten it`)
  .refine((note) => !NOTE_CONTROL.test(note), "holds a control character: only line breaks (\\n) and tabs may be in a note");

/** PATCH /api/sweeps/:id and /api/runs/:id: what to change; what is left out stays as it is. */
export const labelsChangeSchema = z
  .strictObject({
    tags: tagsSchema.optional().describe("every tag it is to have, replacing those it has ([] removes them all)"),
    addTags: tagsSchema.optional().describe("tags added to those it has (one it has already stays once)"),
    removeTags: tagsSchema.optional().describe("tags taken off (one it does not have is no error)"),
    note: noteSchema.nullable().optional().describe("the note, replacing the one it has; null or \"\" removes it"),
  })
  .superRefine((body, ctx) => {
    if (Object.keys(body).length === 0) ctx.addIssue({ code: "custom", path: [], message: "changes nothing: send tags, addTags, removeTags or note" });
    if (body.tags !== undefined && (body.addTags !== undefined || body.removeTags !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["tags"], message: "replaces every tag: send it without addTags and removeTags, or those without it" });
    }
    const both = (body.addTags ?? []).filter((tag) => body.removeTags?.includes(tag));
    if (both.length > 0) ctx.addIssue({ code: "custom", path: ["removeTags"], message: `${both.join(", ")} is in addTags too: say once whether it goes or stays` });
  });

/** A PATCH body as clients send it. */
export type LabelsChange = z.input<typeof labelsChangeSchema>;

/** The tags a sweep's or run's tags become after `add` and `remove` (added ones last, each once). */
export function changedTags(current: readonly string[], add: readonly string[], remove: readonly string[]): string[] {
  return [...new Set([...current, ...add])].filter((tag) => !remove.includes(tag));
}
