/* The reviewer console, enhanced: copy buttons, a confirmation before cancelling, evidence
   lit up in the answer from its entry in the list, times in the reviewer's own time zone.
   Every page works without this script. */
(function () {
  "use strict";
  var lang = document.documentElement.lang;
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) el.textContent = when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  });
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      field.select();
      var done = function () { button.textContent = "✓"; };
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      else { document.execCommand("copy"); done(); }
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // An entry of the evidence list lights up the words of the answer it points at.
  document.querySelectorAll(".evidence-list li[data-ev]").forEach(function (item) {
    var card = item.closest(".answer-card");
    var marks = card ? card.querySelectorAll("mark.ev") : [];
    var light = function (on) {
      marks.forEach(function (mark) {
        if ((" " + mark.dataset.ev + " ").indexOf(" " + item.dataset.ev + " ") >= 0) mark.classList.toggle("lit", on);
      });
    };
    ["mouseenter", "focus"].forEach(function (name) { item.addEventListener(name, function () { light(true); }); });
    ["mouseleave", "blur"].forEach(function (name) { item.addEventListener(name, function () { light(false); }); });
  });
})();
