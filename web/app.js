/* Starts the rasa-webchat widget (UMD bundle: window.WebChat) against Rasa's socket.io channel.
 * /config.js (written by scripts/serve_web.py from RASA_URL) says where Rasa is. */
(function () {
  "use strict";

  var config = window.WEBCHAT_CONFIG || {};
  var socketUrl = config.socketUrl || "http://localhost:5005";
  var socketPath = config.socketPath || "/socket.io/";
  var STORAGE_KEY = "chat_session"; // where rasa-webchat keeps the conversation (params.storage: "local")

  // Taiwanese phone numbers as the knowledge base writes them: 0800-280-280, 02-27089055.
  var PHONE = /(^|[^\d\-\[(:\/])(0800-?\d{3}-?\d{3}|0\d{1,2}-\d{7,8})(?![\d-])/g;

  /** Turns the phone numbers of a bot text into markdown tel: links (the widget renders bot text as markdown). */
  function linkPhones(text) {
    if (typeof text !== "string" || text.indexOf("](tel:") !== -1) return text;
    return text.replace(PHONE, function (_, before, number) {
      return before + "[" + number + "](tel:" + number.replace(/-/g, "") + ")";
    });
  }

  /** A call button's title wraps on a narrow screen, but never inside its number: a word joiner (U+2060, invisible)
   * after each hyphen of the number takes away the line break the hyphen allows. The tel: link is untouched. */
  function keepNumberTogether(button) {
    if (!button || typeof button.title !== "string" || !/^tel:/.test(button.url || "")) return;
    button.title = button.title.replace(PHONE, function (_, before, number) {
      return before + number.replace(/-/g, "-\u2060");
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /** 下午 3:05 today, 11/26 15:05 on another day. */
  function messageDate(timestamp) {
    var d = new Date(timestamp);
    var now = new Date();
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return time;
    return (d.getMonth() + 1) + "/" + d.getDate() + " " + time;
  }

  /** The notice above the chat, with the general line and 馬上辦 as tap-to-call links (config.helpLines, read from
   * the knowledge base by scripts/serve_web.py). kind: "unreachable" or "not-loaded" (the notice's data-*). */
  function showError(kind) {
    var el = document.getElementById("webchat-error");
    el.querySelector(".notice-text").textContent = el.getAttribute("data-" + kind);
    var list = el.querySelector(".notice-lines");
    var lines = config.helpLines || [];
    if (!list.children.length) {
      var template = document.getElementById("help-line");
      lines.forEach(function (line) {
        var item = template.content.firstElementChild.cloneNode(true);
        var number = item.querySelector(".help-number");
        number.textContent = line.number;
        number.href = line.tel;
        item.querySelector(".help-name").textContent = line.name;
        if (line.hours) item.querySelector(".help-hours span").textContent = line.hours;
        else item.querySelector(".help-hours").remove();
        list.appendChild(item);
      });
    }
    el.querySelector(".notice-help").hidden = lines.length === 0;
    el.hidden = false;
  }

  function forgetConversation() {
    try {
      window.localStorage.removeItem(STORAGE_KEY);
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) { /* storage disabled: nothing kept anyway */ }
  }

  // 開始新對話 loads the page with ?new: the stored conversation is dropped there, before the widget starts.
  // Clearing it only in the click handler raced with the widget, which saves its state again while unloading.
  if (/[?&]new\b/.test(window.location.search)) {
    forgetConversation();
    window.history.replaceState(null, "", window.location.pathname);
  }

  document.getElementById("new-conversation").addEventListener("click", function () {
    forgetConversation();
    window.location.assign(window.location.pathname + "?new=" + Date.now());
  });

  if (!window.WebChat || typeof window.WebChat.default !== "function") {
    showError("not-loaded");
    return;
  }

  var narrow = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;

  window.WebChat.default({
    socketUrl: socketUrl,
    socketPath: socketPath,
    initPayload: "/greet",
    customData: { language: "zh-Hant" },
    title: "關稅支持熱線助理",
    subtitle: "支持措施・貸款額度・服務專線",
    inputTextFieldHint: "請輸入您的問題，例如：營業額掉了15%能貸多少",
    connectingText: "正在連線到助理…",
    embedded: true,              // the page is the assistant: always open, no launcher to find
    fullScreenMode: narrow,
    showFullScreenButton: false,
    showCloseButton: false,
    hideWhenNotConnected: false,
    displayUnreadCount: false,
    showMessageDate: messageDate,
    params: { storage: "local" }, // a reload (or a new tab) keeps the conversation
    withRules: false,
    mainColor: "#0b5394",
    userBackgroundColor: "#0b5394",
    userTextColor: "#ffffff",
    // Every bubble of a turn at once. With a "typing" delay per bubble (it was 300–1200 ms each) a turn of three
    // bubbles took up to 3.6 s to show, and a firm that typed meanwhile saw its next message land between the
    // answer and its hotline (tests/e2e/test_widget_look.py measures it).
    customMessageDelay: function () { return 0; },
    onSocketEvent: {
      // Runs before the widget's own handler, on the same object: make phone numbers tappable.
      bot_uttered: function (message) {
        if (message && typeof message.text === "string") message.text = linkPhones(message.text);
        if (message && Array.isArray(message.buttons)) message.buttons.forEach(keepNumberTogether);
      },
      connect_error: function () {
        showError("unreachable");
      },
      connect: function () {
        document.getElementById("webchat-error").hidden = true;
      }
    }
  }, document.getElementById("webchat"));

  // The widget renders bot text as markdown without checking link addresses (rasa-webchat passes
  // transformLinkUri: null), so a "javascript:" link would run when tapped. Only web, phone and mail links keep
  // their address; the page's Content-Security-Policy (scripts/serve_web.py) blocks the rest as well.
  var SAFE_LINK = /^\s*(https?:|tel:|mailto:)/i;
  function disarmLinks(root) {
    var links = root.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (!SAFE_LINK.test(links[i].getAttribute("href"))) links[i].removeAttribute("href");
    }
  }
  var chat = document.getElementById("webchat");
  new MutationObserver(function () { disarmLinks(chat); })
    .observe(chat, { childList: true, subtree: true, attributes: true, attributeFilter: ["href"] });

  // A message the firm sends while the bot's bubbles of the previous turn are still being put on screen (the
  // widget's typing dots show then) waits for them: otherwise it lands between the answer and its hotline. The
  // widget submits its form with a non-bubbling "submit" event; capturing here sees it before the form's handler.
  function botStillShowing() { return !!chat.querySelector(".rw-typing-indication"); }
  chat.addEventListener("submit", function (event) {
    var form = event.target;
    if (!botStillShowing() || !form.classList || !form.classList.contains("rw-sender")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    (function retry() {
      if (botStillShowing()) return window.setTimeout(retry, 30);
      form.dispatchEvent(new Event("submit", { cancelable: true }));
    })();
  }, true);

  window.tariffWebchat = { linkPhones: linkPhones }; // for tests
})();
