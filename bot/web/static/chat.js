/* AOT rights helper: progressive enhancement for the chat page.
   Without this file everything still works with plain form posts.
   With it: no reload, a typing indicator, Enter to send, focus kept in place.
   All message HTML comes from the server, already escaped by Jinja2. */
(function () {
  "use strict";

  // Leave quickly: forget the page and go to a neutral site at once.
  var leave = document.getElementById("leave");
  if (leave) {
    leave.addEventListener("click", function (ev) {
      ev.preventDefault();
      var go = leave.getAttribute("data-go") || "https://www.weather.gov/";
      var log = document.getElementById("log");
      if (log) { log.textContent = ""; }
      var msg = document.getElementById("message");
      if (msg) { msg.value = ""; }
      var done = false;
      var away = function () {
        if (done) { return; }
        done = true;
        window.location.replace(go);
      };
      try {
        fetch("/leave", {
          method: "POST", credentials: "same-origin", keepalive: true,
          headers: { "Accept": "application/json" }
        }).then(away, away);
      } catch (e) { away(); }
      window.setTimeout(away, 600);
    });
  }

  // Print buttons on the advocates' pages.
  Array.prototype.forEach.call(document.querySelectorAll("button.print"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  var form = document.getElementById("chat-form");
  var log = document.getElementById("log");
  if (!form || !log || !window.fetch) { return; }
  var input = document.getElementById("message");
  var typing = document.getElementById("typing");
  var errorBox = document.getElementById("chat-error");
  var words = errorBox ? errorBox.dataset : {};  // content/web.yml chat.send_failed, chat.type_first
  var quickArea = document.getElementById("quick-area");
  var busy = false;
  var crisis = null;
  var moved = false;  // focus went to the reply's first message

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // The reply's first message (not its last bubble) is where reading starts: bring it
  // to the top of the screen and move focus there (a crisis panel instead, when there is one).
  function showFirst(el) {
    if (!el) { return; }
    el.setAttribute("tabindex", "-1");
    try { el.focus({ preventScroll: true }); } catch (e) { el.focus(); }
    if (el.scrollIntoView) { el.scrollIntoView({ block: "start" }); }
  }

  function announceQuick(text) {
    var status = document.getElementById("quick-status");
    if (!status) { return; }
    status.textContent = "";  // the same words twice in a row are still read out
    window.setTimeout(function () { status.textContent = text || ""; }, 100);
  }

  function send(params, typed) {
    if (busy) { return; }
    busy = true;
    showError("");
    typing.hidden = false;
    var sendButton = form.querySelector("button[type=submit]");
    if (sendButton) { sendButton.disabled = true; }
    if (typed) { input.value = ""; }
    fetch("/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: params.toString()
    }).then(function (resp) {
      if (!resp.ok) { throw new Error("HTTP " + resp.status); }
      return resp.json();
    }).then(function (data) {
      var old = document.getElementById("last");
      if (old) { old.removeAttribute("id"); }
      var panels = log.querySelectorAll(".msg-crisis[role=alert]"), i;
      for (i = 0; i < panels.length; i++) { panels[i].removeAttribute("role"); }  // announced once
      var before = log.children.length;
      log.insertAdjacentHTML("beforeend", data.html);
      quickArea.innerHTML = data.quick_replies;
      if (quickArea.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_PRECEDING) {
        // after the first answer, its follow-ups come right under it, then the text box
        form.parentNode.insertBefore(quickArea, form);
        form.parentNode.insertBefore(document.getElementById("quick-status"), form);
      }
      announceQuick(data.quick_status);
      // A crisis reply (kind "crisis..."): its panel, with the call buttons, is what
      // must be in view; the typing box stays focused without scrolling it away.
      panels = log.querySelectorAll(".msg-crisis");
      crisis = /^crisis/.test(data.kind || "") && panels.length ? panels[panels.length - 1] : null;
      if (crisis && crisis.scrollIntoView) { crisis.scrollIntoView({ block: "start" }); return; }
      var added = Array.prototype.slice.call(log.children, before);
      // The conversation switched language (detected, or asked for): the replies say so
      // to screen readers; the page around them follows on the next load.
      if (data.lang && data.lang !== document.documentElement.lang) {
        added.forEach(function (el) { if (!/msg-user/.test(el.className)) { el.setAttribute("lang", data.lang); } });
      }
      showFirst(added.filter(function (el) { return !/msg-user/.test(el.className); })[0] || added[0]);
      moved = true;
    }).catch(function () {
      if (typed && !input.value) { input.value = typed; }
      showError(words.sendFailed || "");
    }).then(function () {
      busy = false;
      typing.hidden = true;
      if (sendButton) { sendButton.disabled = false; }
      if (!moved) {
        try { input.focus(crisis ? { preventScroll: true } : undefined); } catch (e) { input.focus(); }
      }
      crisis = null;
      moved = false;
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    if (!text.trim()) {
      showError(words.typeFirst || "");
      input.focus();
      return;
    }
    send(new URLSearchParams({ message: text }), text);
  });

  // Quick replies are re-rendered after each answer, so listen on their container.
  quickArea.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var button = ev.submitter || document.activeElement;
    if (!button || button.name !== "payload") { return; }
    send(new URLSearchParams({ payload: button.value }), null);
  });

  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); }
      else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });

  // Back to a page kept in memory (after "Leave quickly"?): load it again, so a
  // conversation that was deleted is not shown from memory.
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) { window.location.reload(); } });
})();
