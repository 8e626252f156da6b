// Server-sent events read from a fetch body: the part of the format the API uses (event and data
// fields, comments); `id` and `retry` are skipped because the CLI re-reads the sweep after reconnecting.

export interface SseEvent {
  event: string;
  data: string;
}

const LINE_END = /\r\n|\r|\n/;

/** The events of the stream in order, until it ends. Frames cut across chunks are put back together. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let pending = "";
  let event = "";
  let data: string[] = [];
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    // A trailing \r may be the first half of \r\n: leave it for the next chunk.
    const end = pending.endsWith("\r") ? pending.length - 1 : pending.length;
    const lines = pending.slice(0, end).split(LINE_END);
    pending = lines.pop()! + pending.slice(end);
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
  }
}
