// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "de";
  var words = {
    de: { d: ["Tag", "Tage"], now: "jetzt" },
    en: { d: ["day", "days"], now: "now" },
  }[lang.slice(0, 2)] || { d: ["day", "days"], now: "now" };

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(ms) {
    if (ms <= 0) return words.now;
    var s = Math.floor(ms / 1000);
    var days = Math.floor(s / 86400);
    s -= days * 86400;
    var clock = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    if (days === 0) return clock;
    return days + " " + words.d[days === 1 ? 0 : 1] + ", " + clock;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var target = Date.parse(el.getAttribute("data-countdown"));
      if (!isNaN(target)) el.textContent = format(target - now);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // After a failed submit, move focus to the summary of what is wrong.
    var summary = document.querySelector(".notice-error[tabindex='-1']");
    if (summary) summary.focus();

    if (document.querySelector("[data-countdown]")) {
      tick();
      window.setInterval(tick, 1000);
    }
  });
})();
