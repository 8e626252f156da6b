// Conversions at the boundary between the callers' values and Prisma's.
import type { Prisma } from "./generated/index.js";

/** Plain objects from the callers (configs, summaries) as Prisma's JSON input type. */
export function asJson(value: object): Prisma.InputJsonObject {
  return value as Prisma.InputJsonObject;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs and job payloads: anything but a UUID cannot name a row and reads as "not found". */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** Prisma 6 reads Bytes columns as Uint8Array; callers work with Buffers. No copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Prisma's Bytes input must be backed by an ArrayBuffer; a Buffer over shared memory is copied. */
export function asBytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return buffer.buffer instanceof ArrayBuffer ? (buffer as Uint8Array<ArrayBuffer>) : new Uint8Array(buffer);
}
