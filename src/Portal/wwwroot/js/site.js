// Catalyst portal behaviour that cannot be plain HTML. Loaded from wwwroot (no inline script: CSP).
(function () {
  "use strict";

  // Copy-to-clipboard buttons: <button data-copy-target="#id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target || !navigator.clipboard) return;
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });

  // Forms and buttons with data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
