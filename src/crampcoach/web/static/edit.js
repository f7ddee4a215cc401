// The routine editor: a tap on a problem's line number puts the cursor on that line of the
// text. The page works without it.
"use strict";
(function () {
  var text = document.getElementById("text");
  if (!text) { return; }
  document.querySelectorAll(".lines li.bad").forEach(function (item) {
    item.addEventListener("click", function () {
      var number = parseInt(item.getAttribute("value"), 10);
      var lines = text.value.split("\n");
      var start = 0;
      for (var i = 0; i < number - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
      text.focus();
      text.setSelectionRange(start, start + (lines[number - 1] || "").length);
    });
  });
})();
