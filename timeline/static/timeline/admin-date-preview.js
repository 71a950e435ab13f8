// The admin's date preview, updated as the curator types an EDTF date.
// Without JavaScript the same text appears after saving; this only makes it live.
(function () {
  "use strict";
  function describe(parts, written) {
    var box = document.createDocumentFragment();
    if (parts.empty || !parts.valid) {
      box.appendChild(document.createTextNode(parts.valid ? parts.message : "Not a valid EDTF date: " + parts.message));
      return box;
    }
    var strong = document.createElement("strong");
    strong.textContent = parts.display;
    box.appendChild(strong);
    var rest = " · earliest " + parts.earliest + " · latest " + parts.latest + " · " + parts.precision + " precision";
    parts.qualifiers.forEach(function (word) { rest += ", " + word; });
    if (written) { rest += " · written “" + written + "”"; }
    box.appendChild(document.createTextNode(rest));
    return box;
  }
  function start() {
    var input = document.getElementById("id_date_edtf");
    var meaning = document.querySelector(".date-meaning[data-preview-url]");
    if (!input || !meaning || !window.fetch) { return; }
    var writtenInput = document.getElementById("id_date_as_written");
    meaning.setAttribute("aria-live", "polite");
    meaning.id = "date-meaning";
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " date-meaning").trim());
    var timer = null;
    var latest = 0;
    function update() {
      var asked = ++latest;
      var url = meaning.dataset.previewUrl + "?date_edtf=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (parts) {
          if (!parts || asked !== latest) { return; }
          meaning.replaceChildren(describe(parts, writtenInput ? writtenInput.value.trim() : ""));
          meaning.classList.toggle("is-invalid", !parts.valid);
        })
        .catch(function () { /* the preview is a convenience; saving still validates */ });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    }
    input.addEventListener("input", later);
    if (writtenInput) { writtenInput.addEventListener("input", later); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
