#!/usr/bin/env node
// The `sweeps` command on the PATH (npm link, npm install -g): Node cannot run the TypeScript entry by
// itself, so tsx's loader is registered in this process first.
import { register } from "tsx/esm/api";

register();
await import("./sweeps.ts");
