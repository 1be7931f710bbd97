// Emits the browser ES module of the uploads part (tus-js-client included) that the portal's
// Assets page imports: src/Portal/wwwroot/lib/catalyst-client/uploads.js. The file is committed;
// test/bundle.test.mjs checks it equals what this script produces.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
export const portalBundle = resolve(here, "../../../src/Portal/wwwroot/lib/catalyst-client/uploads.js");

export async function bundleUploads(write) {
  const result = await build({
    entryPoints: [resolve(here, "../dist/uploads.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "eof",
    write,
    outfile: portalBundle,
    banner: { js: "// @catalyst/client uploads (clients/js/src/uploads.ts) with tus-js-client 4.3.1, built by clients/js: npm run build. Do not edit." },
  });
  return write ? undefined : result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleUploads(true);
