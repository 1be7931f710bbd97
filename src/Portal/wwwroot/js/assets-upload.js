// Assets page: resumable uploads through tus-js-client to the portal's tus endpoint.
// The antiforgery token travels in a header (the same one htmx sends); progress is a <progress>.
(function () {
  "use strict";
  var root = document.getElementById("asset-upload");
  if (!root || !window.tus) return;

  var fileInput = document.getElementById("upload-file");
  var startButton = document.getElementById("upload-start");
  var pauseButton = document.getElementById("upload-pause");
  var progress = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var maxSize = Number(root.getAttribute("data-max-size"));
  var current = null;

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  function setStatus(text) { status.textContent = text; }

  function formatBytes(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KiB";
    if (bytes < 1073741824) return (bytes / 1048576).toFixed(1) + " MiB";
    return (bytes / 1073741824).toFixed(2) + " GiB";
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    startButton.disabled = !file;
    if (file && file.size > maxSize) {
      setStatus("This file is larger than the " + formatBytes(maxSize) + " limit.");
      startButton.disabled = true;
    } else {
      setStatus(file ? file.name + " (" + formatBytes(file.size) + ")" : "");
    }
  });

  pauseButton.addEventListener("click", function () {
    if (!current) return;
    if (pauseButton.textContent === "Pause") {
      current.abort();
      pauseButton.textContent = "Resume";
      setStatus("Paused at " + progress.value + "%.");
    } else {
      current.start();
      pauseButton.textContent = "Pause";
    }
  });

  startButton.addEventListener("click", function () {
    var file = fileInput.files[0];
    if (!file) return;
    startButton.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    pauseButton.hidden = false;
    pauseButton.textContent = "Pause";

    var upload = new tus.Upload(file, {
      endpoint: root.getAttribute("data-endpoint"),
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      headers: csrfHeaders(),
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream", target: "asset" },
      onProgress: function (sent, total) {
        var percent = total ? Math.floor((sent / total) * 100) : 100;
        progress.value = percent;
        setStatus("Uploading " + file.name + ": " + formatBytes(sent) + " of " + formatBytes(total) + " (" + percent + "%)");
      },
      onError: function (error) {
        setStatus("The upload stopped: " + (error && error.message ? error.message.split("\n")[0] : error) + ". Choose the same file again to resume.");
        startButton.disabled = false;
        pauseButton.hidden = true;
      },
      onSuccess: function () {
        progress.value = 100;
        setStatus(file.name + " uploaded.");
        pauseButton.hidden = true;
        fileInput.value = "";
        if (window.htmx) {
          window.htmx.ajax("GET", root.getAttribute("data-list-url"), { target: "#asset-list" });
        }
      },
    });
    current = upload;
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        setStatus("Resuming an earlier upload of " + file.name + "…");
      }
      upload.start();
    });
  });
})();
