// The live status on the Now page. Without it the page still works (the status is filled
// in when the page is made, and a "Refresh" link reloads it).
// When what can be done changes (a session starts, pauses, waits or ends), the page is
// loaded again so that only the controls that can act are shown.
"use strict";
(function () {
  var box = document.getElementById("status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var mode = box.getAttribute("data-mode");
  function show(words) {
    if (words.mode && words.mode !== mode) { window.location.reload(); return; }
    ["state", "step", "next", "left", "detail"].forEach(function (name) {
      var el = box.querySelector('[data-field="' + name + '"]');
      var text = words[name] || "";
      if (el && el.textContent !== text) { el.textContent = text; }
    });
  }
  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { show(body.words); } })
      .catch(function () {})
      .then(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 2000);
})();
