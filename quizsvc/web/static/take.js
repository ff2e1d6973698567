/* The candidate's page, enhanced: one question at a time, answers saved while typing and on
   leaving a question, a copy kept in this browser until the server has it, time measured per
   question, a countdown, and at time-out what was typed is sent with the submission.
   Without this script the page is one plain form that saves every answer at once. */
(function () {
  "use strict";

  var SAFETY_MS = 3000;     // submit this long before the deadline, so the last words arrive in time
  var IDLE_MS = 1200;       // save after this long without typing...
  var MAX_WAIT_MS = 8000;   // ...or at least this often while typing on
  var DRAFT = "quizsvc:draft:";

  function localTimes(root) {
    var lang = document.documentElement.lang;
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when)) el.textContent = when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
    });
  }

  function drafts(attempt) {
    var prefix = DRAFT + attempt + ":";
    return {
      get: function (n) { try { return JSON.parse(localStorage.getItem(prefix + n)); } catch (e) { return null; } },
      put: function (n, value) { try { localStorage.setItem(prefix + n, JSON.stringify(value)); } catch (e) { /* full or off */ } },
      drop: function (n) { try { localStorage.removeItem(prefix + n); } catch (e) { /* off */ } },
      clear: function () {
        try {
          for (var i = localStorage.length - 1; i >= 0; i--) {
            var key = localStorage.key(i);
            if (key && key.indexOf(prefix) === 0) localStorage.removeItem(key);
          }
        } catch (e) { /* off */ }
      }
    };
  }

  localTimes(document);
  var done = document.getElementById("done");
  if (done) { drafts(done.dataset.attempt).clear(); return; }
  var form = document.getElementById("answers");
  if (!form) return;

  var data = form.dataset;
  var store = drafts(data.attempt);
  var feedbackMode = data.feedback === "yes";
  var max = parseInt(data.max, 10);
  var announcer = document.getElementById("announce");
  var questions = [];
  var byNumber = {};
  var current = null;
  var closing = false;
  var leaving = false;

  document.documentElement.classList.add("js");
  form.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  function say(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function length(text) { return Array.from(text).length; }

  function savedLabel(q, iso) {
    var when = new Date(iso);
    q.savedEl.classList.remove("pending");
    q.savedEl.textContent = fill(data.msgSaved, { time: when.toLocaleTimeString(document.documentElement.lang) });
  }

  function updateCount(q) {
    var n = length(q.area.value);
    var left = max - n;
    q.countEl.textContent = fill(data.msgCount, { count: n.toLocaleString(), max: max.toLocaleString() });
    var near = left <= max / 10;
    q.countEl.classList.toggle("warn", near);
    if (near && q.lastWarn !== Math.floor(left / 100)) {
      q.lastWarn = Math.floor(left / 100);
      say(fill(data.msgLeft, { n: left.toLocaleString() }));
    }
    var answered = q.area.value.trim() !== "";
    q.chip.classList.toggle("answered", answered);
    if (answered) q.chip.setAttribute("aria-describedby", "is-answered");
    else q.chip.removeAttribute("aria-describedby");
  }

  function keepDraft(q) {
    store.put(q.n, { text: q.area.value, base: q.el.dataset.savedAt, at: Date.now() });
  }

  function schedule(q) {
    window.clearTimeout(q.idle);
    q.idle = window.setTimeout(function () { save(q); }, IDLE_MS);
    if (!q.firstUnsaved) q.firstUnsaved = Date.now();
    if (Date.now() - q.firstUnsaved > MAX_WAIT_MS) save(q);
  }

  function save(q, options) {
    options = options || {};
    window.clearTimeout(q.idle);
    window.clearTimeout(q.retry);
    if (closing && !options.final) return Promise.resolve();
    if (q.inflight) {
      q.again = q.again || options;
      return q.inflight;
    }
    var text = q.area.value;
    var body = new FormData();
    body.append("check", form.elements.check.value);
    body.append("answer", text);
    body.append("time", String(Math.round(q.seconds)));
    if (options.feedback) body.append("feedback", "1");
    q.savedEl.classList.add("pending");
    q.savedEl.textContent = data.msgSaving;
    q.inflight = fetch(data.saveUrl + q.n, {
      method: "POST", body: body, credentials: "same-origin", keepalive: !!options.keepalive,
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, status: response.status, json: json }; });
    }).then(function (reply) {
      q.inflight = null;
      if (reply.ok) {
        q.el.dataset.savedAt = reply.json.saved_at;
        q.sentSeconds = Math.round(q.seconds);
        savedLabel(q, reply.json.saved_at);
        if (q.area.value === text) {
          q.dirty = false;
          q.firstUnsaved = 0;
          store.drop(q.n);
        } else {
          keepDraft(q);
          schedule(q);
        }
        if (options.feedback) {
          q.checkedText = text;
          if (reply.json.feedback_html !== undefined) q.feedback.innerHTML = reply.json.feedback_html;
          else if (reply.json.feedback_message) q.feedback.textContent = reply.json.feedback_message;
        }
      } else if (reply.json && reply.json.closed) {
        timeUp();
      } else {
        q.savedEl.textContent = (reply.json && reply.json.message) || data.msgUnsaved;
        if (reply.status >= 500 || reply.status === 429) retryLater(q);
      }
      var again = q.again;
      q.again = null;
      if (again && !closing) return save(q, again);
    }).catch(function () {
      q.inflight = null;
      q.savedEl.textContent = navigator.onLine === false ? data.msgOffline : data.msgUnsaved;
      retryLater(q);
    });
    return q.inflight;
  }

  function retryLater(q) {
    q.backoff = Math.min((q.backoff || 1000) * 2, 30000);
    q.retry = window.setTimeout(function () { if (q.dirty) save(q); }, q.backoff);
  }

  function flush(options) {
    return Promise.all(questions.map(function (q) {
      var timeChanged = Math.round(q.seconds) !== q.sentSeconds;
      if (q.dirty || timeChanged || q.inflight) return save(q, options);
      return Promise.resolve();
    }));
  }

  function show(n, focus) {
    var q = byNumber[n];
    if (!q || q === current) return;
    var previous = current;
    if (previous) {
      previous.el.classList.remove("current");
      previous.chip.removeAttribute("aria-current");
      var wantsFeedback = feedbackMode && previous.area.value.trim() !== "" && previous.area.value !== previous.checkedText;
      if (previous.dirty || wantsFeedback || Math.round(previous.seconds) !== previous.sentSeconds) {
        save(previous, { feedback: wantsFeedback });
      }
    }
    current = q;
    steps[0].disabled = q === questions[0];
    steps[1].disabled = q === questions[questions.length - 1];
    q.el.classList.add("current");
    q.chip.setAttribute("aria-current", "step");
    history.replaceState(null, "", "#q" + n);
    if (focus) q.heading.focus();
  }

  form.querySelectorAll(".question").forEach(function (el) {
    var n = parseInt(el.dataset.position, 10);
    var q = {
      n: n, el: el, area: el.querySelector("textarea"), countEl: el.querySelector(".count"),
      savedEl: el.querySelector(".saved"), feedback: el.querySelector(".feedback"),
      chip: document.getElementById("chip-" + n), heading: el.querySelector("h2"),
      timeInput: document.getElementById("time-" + n),
      seconds: parseInt(el.dataset.time, 10) || 0, dirty: false
    };
    q.sentSeconds = q.seconds;
    q.checkedText = q.feedback && q.feedback.children.length ? q.area.value : null;
    q.heading.setAttribute("tabindex", "-1");
    if (el.dataset.savedAt) savedLabel(q, el.dataset.savedAt);
    var draft = store.get(n);
    if (draft && draft.text !== q.area.value) {
      var serverAt = Date.parse(el.dataset.savedAt || "") || 0;
      if (draft.base === el.dataset.savedAt || draft.at > serverAt) {
        q.area.value = draft.text;   // typed here, never reached the server: restore and send it
        q.dirty = true;
      } else {
        store.drop(n);
      }
    } else if (draft) {
      store.drop(n);
    }
    q.area.addEventListener("input", function () {
      q.dirty = true;
      keepDraft(q);
      updateCount(q);
      schedule(q);
    });
    updateCount(q);
    questions.push(q);
    byNumber[n] = q;
    var check = el.querySelector("[data-check]");
    if (check) {
      check.addEventListener("click", function () {
        q.feedback.textContent = data.msgChecking;
        save(q, { feedback: true });
      });
    }
  });
  questions.forEach(function (q) { if (q.dirty) save(q); });

  var steps = form.querySelectorAll("[data-step]");
  steps.forEach(function (button) {
    button.addEventListener("click", function () { show(current.n + parseInt(button.dataset.step, 10), true); });
  });

  document.querySelectorAll("[data-goto]").forEach(function (chip) {
    chip.addEventListener("click", function (event) {
      event.preventDefault();
      show(parseInt(chip.dataset.goto, 10), true);
    });
  });
  var start = /^#q(\d+)$/.exec(location.hash);
  show(start && byNumber[start[1]] ? parseInt(start[1], 10) : questions[0].n, false);

  // Time on the current question, while the page is in view.
  var lastTick = Date.now();
  window.setInterval(function () {
    var now = Date.now();
    var elapsed = Math.min(now - lastTick, 5000) / 1000;  // a sleeping laptop is not time spent
    lastTick = now;
    if (current && document.visibilityState === "visible" && !closing) {
      current.seconds += elapsed;
      current.timeInput.value = String(Math.round(current.seconds));
    }
  }, 1000);

  // The plain form's buttons: wait for saves in flight (an older text must not land after this one).
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "save";
    submitForm(action);
  });

  function submitForm(action) {
    questions.forEach(function (q) { window.clearTimeout(q.idle); q.timeInput.value = String(Math.round(q.seconds)); });
    var pending = questions.map(function (q) { return q.inflight || Promise.resolve(); });
    var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 2500); });
    Promise.race([Promise.all(pending), timeout]).then(function () {
      leaving = true;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "action";
      input.value = action;
      form.appendChild(input);
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  function timeUp() {
    if (closing) return;
    closing = true;
    questions.forEach(function (q) { q.area.readOnly = true; window.clearTimeout(q.idle); window.clearTimeout(q.retry); });
    var banner = document.createElement("p");
    banner.className = "notice warn";
    banner.setAttribute("role", "alert");
    banner.textContent = data.msgClosed;
    form.insertBefore(banner, form.querySelector(".qnav"));
    submitForm("timeout");
  }

  // Leaving the page (reload, tab closed, app switched): send what is unsaved, even as the page goes.
  function leave() {
    if (!leaving && !closing) flush({ keepalive: true });
  }
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") leave(); });
  window.addEventListener("online", function () { questions.forEach(function (q) { if (q.dirty) save(q); }); });

  // The deadline: a countdown when the quiz is timed; without a limit, only the invitation's end.
  if (data.secondsLeft !== "") {
    var deadline = Date.now() + parseInt(data.secondsLeft, 10) * 1000;
    var clock = document.getElementById("clock");
    var timer = document.getElementById("timer");
    var warned = {};
    var tick = function () {
      var left = deadline - Date.now();
      if (left <= SAFETY_MS) { timeUp(); return; }
      if (clock) {
        var seconds = Math.ceil((left - SAFETY_MS) / 1000);
        var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
        clock.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
        timer.classList.toggle("low", seconds <= 60);
        if (seconds <= 300 && !warned.five && seconds > 60) { warned.five = true; say(data.msgFive); }
        if (seconds <= 60 && !warned.one) { warned.one = true; say(data.msgOne); }
      }
      window.setTimeout(tick, clock ? 1000 - (Date.now() % 1000) : Math.min(left - SAFETY_MS, 3600000));
    };
    tick();
  }
})();
