// Uploads one file with tus-js-client and prints {seconds, bytes, mibPerSecond} as JSON.
// usage: node upload.mjs <endpoint> <file> <chunkSize> [bearer-token]
import * as tus from "tus-js-client";
import fs from "node:fs";

const [, , endpoint, file, chunkSize, token] = process.argv;
const size = fs.statSync(file).size;
const started = performance.now();
await new Promise((resolve, reject) => {
  const upload = new tus.Upload(fs.createReadStream(file, { highWaterMark: 1 << 20 }), {
    endpoint,
    chunkSize: Number(chunkSize),
    uploadSize: size,
    headers: token ? { Authorization: "Bearer " + token } : {},
    metadata: { filename: "bench.bin", filetype: "application/octet-stream" },
    retryDelays: [0, 1000, 3000],
    onError: reject,
    onSuccess: resolve,
  });
  upload.start();
});
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, bytes: size, mibPerSecond: size / 1048576 / seconds }));
