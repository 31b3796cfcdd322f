// The live banner of edition pages: the organizers' announcements and phase changes arrive
// while the page is open. The banner (base.html, editions/_live_banner.html) is rendered with
// the current announcements, so the page works without this script; every text comes
// translated from the banner's data attributes.
(function () {
  "use strict";

  var DISMISSED_KEY = "helpathon.dismissedAnnouncements";
  var DISMISSED_KEEP = 50;
  // Events are JSON with "type" near the front; a cheap look at the raw text skips the many
  // events the banner does not show (supports, ideas, comments) without parsing them.
  var WANTED = /"type":"(announcement\.created|announcement\.withdrawn|phase\.changed)"/;

  function dismissedIds() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(DISMISSED_KEY) || "[]");
      return Array.isArray(ids) ? ids.map(String) : [];
    } catch (error) {
      return [];  // storage blocked or garbled: nothing is dismissed
    }
  }

  function rememberDismissed(id) {
    var ids = dismissedIds().filter(function (known) { return known !== id; });
    ids.push(id);
    try {
      window.localStorage.setItem(DISMISSED_KEY, JSON.stringify(ids.slice(-DISMISSED_KEEP)));
    } catch (error) {
      // Storage blocked: the message stays hidden on this page only.
    }
  }

  function Banner(element) {
    this.element = element;
    this.list = element.querySelector(".live-banner-list");
    this.data = element.dataset;
    this.limit = parseInt(this.data.limit, 10) || 3;
    this.lastSeq = null;
    this.source = null;
    var timeZone = this.data.timeZone;
    try {
      this.clock = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { hour: "2-digit", minute: "2-digit", timeZone: timeZone || undefined });
    } catch (error) {
      this.clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
    }
  }

  Banner.prototype.start = function () {
    var banner = this;
    var dismissed = dismissedIds();
    this.list.querySelectorAll("[data-announcement]").forEach(function (item) {
      if (dismissed.indexOf(item.dataset.announcement) !== -1) {
        item.remove();
      } else {
        banner.enableDismiss(item);
      }
    });
    this.list.addEventListener("click", function (event) {
      var button = event.target.closest(".live-banner-dismiss");
      if (button) banner.dismiss(button.closest(".live-banner-item"));
    });
    if (!this.data.stream) return;  // a draft, or a page without a stream
    this.open();
    // Leaving the page ends the stream (and lets the browser keep the page in its cache);
    // coming back from that cache resumes where the page was.
    window.addEventListener("pagehide", function () { banner.close(); });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && !banner.source) banner.open();
    });
  };

  Banner.prototype.open = function () {
    var banner = this;
    var url = this.data.stream;
    if (this.lastSeq !== null) url = url.replace(/([?&]after=)\d*/, "$1" + this.lastSeq);
    // EventSource reconnects by itself after the `retry:` the server asks for, sending the
    // last event's id, so nothing is missed in between.
    this.source = new EventSource(url);
    this.source.onmessage = function (message) {
      if (message.lastEventId) banner.lastSeq = message.lastEventId;
      if (!WANTED.test(message.data)) return;
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      banner.handle(event);
    };
  };

  Banner.prototype.close = function () {
    if (this.source) this.source.close();
    this.source = null;
  };

  Banner.prototype.handle = function (event) {
    var data = event.data || {};
    if (event.type === "announcement.created") {
      this.announce(String(data.announcement), data.text || "", event.at);
    } else if (event.type === "announcement.withdrawn") {
      var item = this.find(String(data.announcement));
      if (item) item.remove();
    } else if (event.type === "phase.changed") {
      this.phaseChanged(data.title || "");
    }
  };

  Banner.prototype.find = function (id) {
    var items = this.list.querySelectorAll("[data-announcement]");
    for (var i = 0; i < items.length; i++) {
      if (items[i].dataset.announcement === id) return items[i];
    }
    return null;
  };

  Banner.prototype.item = function (kind) {
    var item = document.createElement("li");
    item.className = "live-banner-item";
    var message = document.createElement("p");
    message.className = "live-banner-message";
    var label = document.createElement("strong");
    label.className = "live-banner-kind";
    label.textContent = kind;
    message.appendChild(label);
    message.appendChild(document.createTextNode(" "));
    item.appendChild(message);
    return item;
  };

  Banner.prototype.announce = function (id, text, at) {
    if (this.find(id) || dismissedIds().indexOf(id) !== -1) return;
    var item = this.item(this.data.labelAnnouncement);
    item.dataset.announcement = id;
    var message = item.firstChild;
    var time = document.createElement("time");
    var when = at ? new Date(at) : new Date();
    if (isNaN(when.getTime())) when = new Date();
    time.dateTime = when.toISOString();
    time.textContent = this.clock.format(when);
    message.appendChild(time);
    message.appendChild(document.createTextNode(": "));
    var body = document.createElement("span");
    body.className = "live-banner-text";
    body.textContent = text;
    message.appendChild(body);
    this.enableDismiss(item);
    // Newest first, after a phase notice; the oldest beyond the limit goes.
    var phase = this.list.querySelector(".live-banner-phase");
    this.list.insertBefore(item, phase ? phase.nextSibling : this.list.firstChild);
    var announcements = this.list.querySelectorAll("[data-announcement]");
    for (var i = this.limit; i < announcements.length; i++) announcements[i].remove();
  };

  Banner.prototype.phaseChanged = function (title) {
    var old = this.list.querySelector(".live-banner-phase");
    if (old) old.remove();
    var item = this.item(this.data.labelPhase);
    item.classList.add("live-banner-phase");
    var message = item.firstChild;
    var text = title ? this.data.textPhase.replace("{title}", function () { return title; }) : this.data.textPhaseNone;
    message.appendChild(document.createTextNode(text));
    var reload = document.createElement("button");
    reload.type = "button";
    reload.className = "button button-secondary button-small live-banner-reload";
    reload.textContent = this.data.labelReload;
    reload.addEventListener("click", function () { window.location.reload(); });
    item.appendChild(reload);
    this.enableDismiss(item);
    this.list.insertBefore(item, this.list.firstChild);
  };

  Banner.prototype.enableDismiss = function (item) {
    var button = item.querySelector(".live-banner-dismiss");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "live-banner-dismiss";
      var cross = document.createElement("span");
      cross.setAttribute("aria-hidden", "true");
      cross.textContent = "×";
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = this.data.labelDismiss;
      button.appendChild(cross);
      button.appendChild(label);
      item.appendChild(button);
    }
    button.hidden = false;
  };

  Banner.prototype.dismiss = function (item) {
    if (!item) return;
    if (item.dataset.announcement) rememberDismissed(item.dataset.announcement);
    // Focus would fall to the page's start: keep it in the banner's neighbourhood instead.
    var next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    var target = next && next.querySelector("button");
    if (target) target.focus();
    else document.getElementById("main").focus();
  };

  // The character counter of a text field: data-count-for names the field, data-max the limit
  // and data-template the text ("{count} of {max} characters"). Counts as the server does,
  // with runs of whitespace taken as one space.
  function counter(element) {
    var field = document.getElementById(element.dataset.countFor);
    if (!field) return;
    var max = parseInt(element.dataset.max, 10);
    function update() {
      var count = field.value.trim().split(/\s+/).join(" ").length;
      element.textContent = element.dataset.template.replace("{count}", count).replace("{max}", max);
      element.classList.toggle("is-over", count > max);
    }
    field.addEventListener("input", update);
    if (field.value) update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector(".live-banner");
    if (element) new Banner(element).start();
    document.querySelectorAll("[data-count-for]").forEach(counter);
  });
})();
