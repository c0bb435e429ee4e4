// Uploads a file to the messenger with tus-js-client, the reference tus 1.0
// client, exactly as a third-party client would, and interrupts it on the way.
//
// usage: node tus-upload.mjs <endpoint> <token> <file> <chunk bytes> <abort at fraction>
// The upload is aborted once the fraction of it has been acknowledged, then
// resumed by a new Upload object from the upload's URL (as a client that was
// restarted would); tus-js-client's own retries carry it over connections the
// server drops (the test kills and restarts the server while it runs).
// stdout, one line each: "progress <acked bytes> <total>", "aborted <url>",
// "resumed <url>", and finally "done <url>"; exit status 1 on failure.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as tus from "tus-js-client";

const [endpoint, token, path, chunkText, abortText] = process.argv.slice(2);
const content = readFileSync(path);
const chunkSize = Number(chunkText);
const abortAt = Number(abortText) * content.length;

let lastReported = 0;
// One line per MiB or so: the test reacts to progress.
function report(accepted, total) {
  if (accepted - lastReported >= 1024 * 1024 || accepted === total) {
    lastReported = accepted;
    console.log(`progress ${accepted} ${total}`);
  }
}

function options(extra) {
  return {
    endpoint,
    chunkSize,
    headers: { Authorization: `Bearer ${token}` },
    metadata: { filename: basename(path), filetype: "application/octet-stream" },
    // Through a server restart: the first tries fail to connect.
    retryDelays: [100, 250, 500, 1000, 1000, 2000, 2000, 4000, 4000, 8000],
    onChunkComplete(_size, accepted, total) {
      report(accepted, total);
    },
    onError(error) {
      console.error(`failed: ${error}`);
      process.exit(1);
    },
    ...extra,
  };
}

let reachedAbortPoint;
const abortPoint = new Promise((resolve) => (reachedAbortPoint = resolve));
const first = new tus.Upload(
  content,
  options({
    onChunkComplete(_size, accepted, total) {
      report(accepted, total);
      if (accepted >= abortAt) reachedAbortPoint();
    },
  }),
);
first.start();
await abortPoint;
await first.abort(); // stops without terminating: the server keeps the bytes
console.log(`aborted ${first.url}`);

const resumed = new tus.Upload(
  content,
  options({
    uploadUrl: first.url,
    onSuccess() {
      console.log(`done ${resumed.url}`);
    },
  }),
);
console.log(`resumed ${first.url}`);
resumed.start();
