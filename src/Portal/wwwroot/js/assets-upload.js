// Assets page: resumable uploads to the portal's tus endpoint through the uploads module of
// @catalyst/client (lib/catalyst-client/uploads.js, built from clients/js) — the same code the SDK
// uses. The antiforgery token travels in a header (the same one htmx sends); progress is a <progress>.
import { Uploader } from "../lib/catalyst-client/uploads.js";

const root = document.getElementById("asset-upload");
if (root) {
  const fileInput = document.getElementById("upload-file");
  const startButton = document.getElementById("upload-start");
  const pauseButton = document.getElementById("upload-pause");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const maxSize = Number(root.getAttribute("data-max-size"));
  let current = null;

  const csrfHeaders = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch {
      return {};
    }
  };
  const setStatus = (text) => { status.textContent = text; };
  const formatBytes = (bytes) => {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KiB";
    if (bytes < 1073741824) return (bytes / 1048576).toFixed(1) + " MiB";
    return (bytes / 1073741824).toFixed(2) + " GiB";
  };

  fileInput.addEventListener("change", () => {
    const file = fileInput.files[0];
    startButton.disabled = !file;
    if (file && file.size > maxSize) {
      setStatus("This file is larger than the " + formatBytes(maxSize) + " limit.");
      startButton.disabled = true;
    } else {
      setStatus(file ? file.name + " (" + formatBytes(file.size) + ")" : "");
    }
  });

  pauseButton.addEventListener("click", () => {
    if (!current) return;
    if (pauseButton.textContent === "Pause") {
      current.pause();
      pauseButton.textContent = "Resume";
      setStatus("Paused at " + progress.value + "%.");
    } else {
      current.resume();
      pauseButton.textContent = "Pause";
    }
  });

  startButton.addEventListener("click", () => {
    const file = fileInput.files[0];
    if (!file) return;
    startButton.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    pauseButton.hidden = false;
    pauseButton.textContent = "Pause";

    const uploader = new Uploader({ endpoint: root.getAttribute("data-endpoint"), headers: csrfHeaders() });
    current = uploader.start({
      file,
      fileName: file.name,
      mediaType: file.type || "application/octet-stream",
      onProgress: (sent, total) => {
        const percent = total ? Math.floor((sent / total) * 100) : 100;
        progress.value = percent;
        setStatus("Uploading " + file.name + ": " + formatBytes(sent) + " of " + formatBytes(total) + " (" + percent + "%)");
      },
    });
    current.done.then((result) => {
      progress.value = 100;
      setStatus(file.name + " uploaded" + (result.resumedFrom ? " (resumed at " + formatBytes(result.resumedFrom) + ")" : "") + ".");
      pauseButton.hidden = true;
      fileInput.value = "";
      current = null;
      if (window.htmx) window.htmx.ajax("GET", root.getAttribute("data-list-url"), { target: "#asset-list" });
    }, (error) => {
      setStatus("The upload stopped: " + (error && error.message ? error.message.split("\n")[0] : error) + ". Choose the same file again to resume.");
      startButton.disabled = false;
      pauseButton.hidden = true;
      current = null;
    });
  });
}
