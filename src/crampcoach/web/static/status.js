// The live status on the Now page: the only script the page needs. Without it the page
// still works (the status is filled in when the page is made, and "Refresh" reloads it).
"use strict";
(function () {
  var box = document.getElementById("status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  function show(words) {
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
