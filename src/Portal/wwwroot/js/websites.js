// Website pages: an empty slug input suggests the slug the server will derive from the name.
// Loaded from wwwroot (no inline script: CSP); the pages work without it.
(function () {
  "use strict";

  function slugify(name) {
    var slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return slug.slice(0, 100).replace(/-+$/, "");
  }

  document.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
    var source = document.querySelector(slug.getAttribute("data-slug-from"));
    if (!source) return;
    var fallback = slug.getAttribute("placeholder") || "";
    function suggest() {
      var suggestion = slugify(source.value);
      slug.setAttribute("placeholder", suggestion || fallback);
    }
    source.addEventListener("input", suggest);
    suggest();
  });
})();
