// The portal's Assets page imports the uploads module from src/Portal/wwwroot/lib/catalyst-client:
// the committed file must be exactly what the SDK build produces, so there is one upload code path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bundleUploads, portalBundle } from "../scripts/bundle-portal.mjs";

test("the committed portal bundle equals the SDK build's uploads module", async () => {
  const built = await bundleUploads(false);
  const committed = readFileSync(portalBundle, "utf8");
  assert.ok(committed.includes("tus-js-client 4.3.1"), "the bundle names what it contains");
  assert.equal(committed, built, "src/Portal/wwwroot/lib/catalyst-client/uploads.js is stale: run npm run build in clients/js and commit it");
  assert.match(built, /export\s*\{[^}]*Uploader/, "the module exports the Uploader");
});
