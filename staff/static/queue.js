// The 案件 queue without reloading: the server sends the queue's version (server-sent events, /queue/events);
// when it changes, the table's rows are fetched again (/queue/rows). No framework; nothing else on the page runs.
(function () {
  "use strict";
  var body = document.getElementById("queue-rows");
  if (!body || !window.EventSource) return;
  var shown = body.getAttribute("data-version");
  var query = window.location.search;
  function refresh(version) {
    if (version === shown) return;
    fetch("/queue/rows" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        body.innerHTML = html;
        shown = version;
        body.setAttribute("data-version", version);
      });
  }
  var source;
  function listen() {
    source = new EventSource("/queue/events");
    source.onmessage = function (e) { refresh(e.data); };
    source.onerror = function () { source.close(); setTimeout(listen, 3000); };
  }
  listen();
})();
