// The document reader, enhanced: highlight every segment of the passage the
// address points to (the page works without this; CSS alone marks its start).
(function () {
  "use strict";
  function highlight() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    document.querySelectorAll(".hl.is-target").forEach(function (el) { el.classList.remove("is-target"); });
    if (!id || id.indexOf("passage-") !== 0) { return; }
    document.querySelectorAll('.hl[data-passages~="' + id + '"]').forEach(function (el) { el.classList.add("is-target"); });
  }
  window.addEventListener("hashchange", highlight);
  highlight();
}());
