// Builds the dashboard into apps/dashboard/dist (git-ignored): the browser TypeScript and Chart.js
// bundled by esbuild into one app.js, next to index.html and styles.css. The API serves that folder.
//   npm run dashboard:build        (or: npx tsx apps/dashboard/build.ts [outdir])
import { build } from "esbuild";
import { copyFile, mkdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DASHBOARD_DIR = fileURLToPath(new URL(".", import.meta.url));
export const DASHBOARD_DIST = join(DASHBOARD_DIR, "dist");

export interface BuiltDashboard {
  outdir: string;
  /** Size of app.js in bytes. */
  bytes: number;
  /** Every file the bundle was made from (esbuild's metafile), as absolute paths. */
  inputs: string[];
}

export async function buildDashboard(options: { outdir?: string; minify?: boolean } = {}): Promise<BuiltDashboard> {
  const outdir = resolve(options.outdir ?? DASHBOARD_DIST);
  await mkdir(outdir, { recursive: true });
  const { metafile } = await build({
    metafile: true,
    entryPoints: [join(DASHBOARD_DIR, "src", "main.ts")],
    outfile: join(outdir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox110", "safari16"],
    minify: options.minify ?? true,
    sourcemap: "linked",
    legalComments: "linked",
    logLevel: "warning",
    tsconfig: join(DASHBOARD_DIR, "tsconfig.json"),
  });
  for (const file of ["index.html", "styles.css"]) await copyFile(join(DASHBOARD_DIR, "public", file), join(outdir, file));
  return { outdir, bytes: (await stat(join(outdir, "app.js"))).size, inputs: Object.keys(metafile.inputs).map((input) => resolve(input)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildDashboard({ outdir: process.argv[2] });
  console.log(`dashboard built in ${built.outdir} (app.js ${(built.bytes / 1024).toFixed(0)} KiB)`);
}
