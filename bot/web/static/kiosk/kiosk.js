/* Kiosk page logic: topics, search with suggestions, on-screen Vietnamese
   keyboard, conversation through /kiosk/api/message, printable checklist with
   a QR code, read-aloud, and the idle reset. No framework, no network access
   beyond this server. Everything the citizen reads is in TEXT or index.html. */
(function () {
  "use strict";

  var TEXT = {
    busy: "Đang tìm câu trả lời…",
    more: "Xem thêm",
    speak: "Đọc to",
    stop: "Dừng đọc",
    offline: "Không kết nối được máy chủ của trung tâm. Bạn thử lại sau ít phút, hoặc hỏi cán bộ tại quầy một cửa.",
    noSuggestion: "Chưa thấy thủ tục phù hợp. Bạn bấm “Hỏi” để hỏi trợ lý.",
    typeFirst: "Bạn gõ vài chữ vào ô tìm kiếm, hoặc chạm vào một việc ở màn hình đầu.",
    openKeyboard: "Bàn phím",
    closeKeyboard: "Ẩn bàn phím",
    code: "Mã thủ tục: ",
    codeUnverified: "Mã thủ tục: chưa xác minh",
    checkedOn: "Thông tin kiểm tra ngày ",
    fees: "Lệ phí",
    time: "Thời gian giải quyết",
    where: "Nộp ở đâu",
    agency: "Cơ quan giải quyết",
    noDocuments: "Danh sách giấy tờ chưa được kiểm chứng: xem lưu ý bên dưới.",
    outdated: "Lưu ý: quy định này có thể đã thay đổi, hãy hỏi lại bộ phận một cửa.",
    copies: " bản",
    printedAt: "In từ kiosk lúc ",
    source: ". Nguồn: Cổng Dịch vụ công quốc gia.",
    qrTitle: "Mã QR tới trang chính thức của thủ tục"
  };

  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };
  var el = {
    home: $("home"), start: $("start"), topics: $("topics"), conversation: $("conversation"),
    messages: $("messages"), busy: $("busy"), printOffer: $("print-offer"), openChecklist: $("open-checklist"),
    form: $("search-form"), search: $("search"), clear: $("clear"), suggestions: $("suggestions"),
    toggleKeyboard: $("toggle-keyboard"), keyboard: $("keyboard"),
    checklist: $("checklist"), print: $("print"), closeChecklist: $("close-checklist"),
    clTitle: $("cl-title"), clMeta: $("cl-meta"), clDocuments: $("cl-documents"), clFacts: $("cl-facts"),
    clNotes: $("cl-notes"), clQr: $("cl-qr"), clUrl: $("cl-url"), clFooter: $("cl-footer"), main: $("main")
  };

  // --- settings from the address or data attributes ---------------------
  var params = new URLSearchParams(window.location.search);
  var ID_RE = /^[A-Za-z0-9_-]{1,40}$/;
  var screenName = params.get("screen") || body.dataset.screen || "kiosk";
  if (!ID_RE.test(screenName)) { screenName = "kiosk"; }
  var idleSeconds = parseFloat(params.get("idle") || body.dataset.idleSeconds || "120");
  if (!(idleSeconds >= 2 && idleSeconds <= 3600)) { idleSeconds = 120; }

  var state = { session: newSession(), procedure: null, dirty: false, busy: false, voice: null };

  function newSession() {
    var bytes = new Uint8Array(8);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function setState(name) { body.dataset.state = name; }

  // --- talking to the server ---------------------------------------------
  function request(method, url, payload) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 90000) : null;
    var options = { method: method, headers: { "Accept": "application/json" } };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    if (controller) { options.signal = controller.signal; }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.message || TEXT.offline); }
        return data;
      });
    }, function () { throw new Error(TEXT.offline); }).finally(function () {
      if (timer) { clearTimeout(timer); }
    });
  }

  // --- start screen ------------------------------------------------------
  function loadTopics() {
    request("GET", "/kiosk/api/topics").then(function (data) {
      el.topics.textContent = "";
      (data.topics || []).forEach(function (topic) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "topic";
        button.textContent = topic.title;
        button.dataset.code = topic.code;
        button.addEventListener("click", function () { ask(topic.payload, topic.title); });
        el.topics.appendChild(button);
      });
    }).catch(function () { /* the search box still works */ });
  }

  // --- conversation ------------------------------------------------------
  function showConversation() {
    el.start.hidden = true;
    el.conversation.hidden = false;
    setState("conversation");
  }

  function addBubble(kind, text) {
    var item = document.createElement("li");
    item.className = "msg " + kind;
    var p = document.createElement("p");
    p.className = "text";
    p.textContent = text;
    item.appendChild(p);
    el.messages.appendChild(item);
    return item;
  }

  function spendOldButtons() {
    Array.prototype.forEach.call(el.messages.querySelectorAll(".msg.bot:not(.spent)"), function (m) {
      m.classList.add("spent");
      Array.prototype.forEach.call(m.querySelectorAll(".choice"), function (b) { b.disabled = true; });
    });
  }

  function addBotMessage(message, isError) {
    var item = addBubble("bot" + (isError ? " error" : ""), message.text || "");
    var actions = document.createElement("div");
    actions.className = "actions";
    if (message.text) { actions.appendChild(speakButton(message.text)); }
    var more = message.more || [];
    if (more.length) {
      actions.appendChild(choiceButton(TEXT.more, "choice more", function () {
        spendOldButtons();
        addBotMessage({ text: more[0], more: more.slice(1), buttons: message.buttons });
        scrollToEnd();
      }));
    } else {
      (message.buttons || []).forEach(function (b) {
        actions.appendChild(choiceButton(b.title, "choice", function () { ask(b.payload, b.title); }));
      });
    }
    item.appendChild(actions);
    return item;
  }

  function choiceButton(title, className, onClick) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = title;
    button.addEventListener("click", onClick);
    return button;
  }

  function scrollToEnd() {
    var last = el.messages.lastElementChild;
    if (last && last.scrollIntoView) { last.scrollIntoView({ block: "start" }); }
  }

  function ask(message, shown) {
    if (state.busy) { return; }
    message = (message || "").trim();
    if (!message) { return; }
    state.busy = true;
    state.dirty = true;
    stopSpeaking();
    clearSearch();
    hideKeyboard();
    if (document.activeElement === el.search) { el.search.blur(); }
    showConversation();
    spendOldButtons();
    addBubble("user", shown || message);
    el.busy.hidden = false;
    scrollToEnd();
    var session = state.session;
    request("POST", "/kiosk/api/message", { screen: screenName, session: session, message: message })
      .then(function (data) {
        if (session !== state.session) { return; }  // reset while waiting
        var first = null;
        (data.messages || []).forEach(function (m) {
          var item = addBotMessage(m);
          first = first || item;
        });
        setProcedure(data.procedure_code || null);
        if (first && first.scrollIntoView) { first.scrollIntoView({ block: "start" }); }
      })
      .catch(function (error) {
        if (session !== state.session) { return; }
        addBotMessage({ text: error.message || TEXT.offline }, true);
        scrollToEnd();
      })
      .finally(function () {
        if (session !== state.session) { return; }
        state.busy = false;
        el.busy.hidden = true;
        touched();  // the idle countdown starts when the answer is on screen
      });
  }

  function setProcedure(code) {
    state.procedure = code;
    el.printOffer.hidden = !code;
  }

  // --- search and suggestions --------------------------------------------
  var suggestTimer = null;
  var suggestSeq = 0;

  function clearSearch() {
    el.search.value = "";
    renderSuggestions([], "");
  }

  function onSearchInput() {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(fetchSuggestions, 150);
  }

  function fetchSuggestions() {
    var query = el.search.value.trim();
    var seq = ++suggestSeq;
    if (!query) { renderSuggestions([], ""); return; }
    request("GET", "/kiosk/api/suggest?q=" + encodeURIComponent(query)).then(function (data) {
      if (seq === suggestSeq) { renderSuggestions(data.suggestions || [], query); }
    }).catch(function () { /* typing still works; "Hỏi" asks the assistant */ });
  }

  function renderSuggestions(list, query) {
    el.suggestions.textContent = "";
    el.suggestions.dataset.query = query;  // which search the list answers
    if (!query) { return; }
    if (!list.length) {
      var hint = document.createElement("li");
      hint.className = "hint";
      hint.textContent = TEXT.noSuggestion;
      el.suggestions.appendChild(hint);
      return;
    }
    list.forEach(function (s) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "suggestion";
      button.dataset.code = s.code;
      button.appendChild(document.createTextNode(s.name));
      var field = document.createElement("span");
      field.className = "field";
      field.textContent = s.field;
      button.appendChild(field);
      button.addEventListener("click", function () { ask(s.payload, s.name); });
      item.appendChild(button);
      el.suggestions.appendChild(item);
    });
  }

  el.search.addEventListener("input", onSearchInput);
  el.search.addEventListener("focus", showKeyboard);
  el.search.addEventListener("click", showKeyboard);
  el.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = el.search.value.trim();
    if (!text) { renderHint(TEXT.typeFirst); return; }
    ask(text, text);
  });
  el.clear.addEventListener("click", function () { clearSearch(); });

  function renderHint(text) {
    el.suggestions.textContent = "";
    var hint = document.createElement("li");
    hint.className = "hint";
    hint.textContent = text;
    el.suggestions.appendChild(hint);
  }

  // --- on-screen Vietnamese keyboard: letters, then tone and vowel marks ---
  var TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
  var VOWELS = "aăâeêioôơuưy";
  var MODIFIED = "ăâêôơư";

  function splitTone(word) {
    var decomposed = word.normalize("NFD");
    var found = decomposed.match(TONE_MARKS);
    return { bare: decomposed.replace(TONE_MARKS, "").normalize("NFC"), tone: found ? found[0] : null };
  }

  // Where the tone mark goes in a syllable without one (traditional placement: hòa, thủy).
  function toneIndex(bare) {
    var w = bare.toLowerCase();
    var cluster = [];
    for (var i = 0; i < w.length; i++) {
      if (VOWELS.indexOf(w[i]) >= 0) { cluster.push(i); } else if (cluster.length) { break; }
    }
    if (!cluster.length) { return -1; }
    var c0 = cluster[0];
    if (cluster.length > 1 && ((w[c0] === "u" && w[c0 - 1] === "q") || (w[c0] === "i" && w[c0 - 1] === "g"))) {
      cluster.shift();
    }
    var modified = cluster.filter(function (k) { return MODIFIED.indexOf(w[k]) >= 0; });
    if (modified.length) { return modified[modified.length - 1]; }
    if (cluster.length === 1) { return cluster[0]; }
    if (cluster.length >= 3) { return cluster[1]; }
    var closed = cluster[cluster.length - 1] < w.length - 1;
    return closed ? cluster[1] : cluster[0];
  }

  function placeTone(bare, tone) {
    if (!tone) { return bare; }
    var index = toneIndex(bare);
    if (index < 0) { return bare; }
    var chars = Array.from(bare);
    chars[index] = (chars[index] + tone).normalize("NFC");
    return chars.join("");
  }

  function withTone(word, tone) {
    var parts = splitTone(word);
    return placeTone(parts.bare, parts.tone === tone ? null : tone);  // same tone again removes it
  }

  var MARK_MAPS = {
    hat: { a: "â", "ă": "â", "â": "a", e: "ê", "ê": "e", o: "ô", "ơ": "ô", "ô": "o" },
    breve: { a: "ă", "â": "ă", "ă": "a" },
    horn: { o: "ơ", "ô": "ơ", "ơ": "o", u: "ư", "ư": "u" }
  };

  function swapCase(source, target) { return source === source.toUpperCase() ? target.toUpperCase() : target; }

  function withMark(word, mark) {
    var parts = splitTone(word);
    var chars = Array.from(parts.bare);
    var lower = chars.map(function (c) { return c.toLowerCase(); });
    if (mark === "dd") {
      if (lower[0] === "d" || lower[0] === "đ") { chars[0] = swapCase(chars[0], lower[0] === "d" ? "đ" : "d"); }
      return placeTone(chars.join(""), parts.tone);
    }
    var map = MARK_MAPS[mark];
    if (mark === "horn") {  // "uo" and "ươ" change together: người, được
      var pair = lower.join("").search(/uo|ươ|ưo|uơ/);
      if (pair >= 0) {
        var toHorn = !(lower[pair] === "ư" && lower[pair + 1] === "ơ");
        chars[pair] = swapCase(chars[pair], toHorn ? "ư" : "u");
        chars[pair + 1] = swapCase(chars[pair + 1], toHorn ? "ơ" : "o");
        return placeTone(chars.join(""), parts.tone);
      }
    }
    for (var i = lower.length - 1; i >= 0; i--) {
      if (map[lower[i]]) {
        chars[i] = swapCase(chars[i], map[lower[i]]);
        break;
      }
    }
    return placeTone(chars.join(""), parts.tone);
  }

  function editLastWord(change) {
    var value = el.search.value;
    var match = value.match(/(\S+)$/);
    if (!match) { return; }
    el.search.value = value.slice(0, match.index) + change(match[1]);
    onSearchInput();
  }

  var KEY_ROWS = [
    "1234567890".split(""),
    "qwertyuiop".split(""),
    "asdfghjkl".split("").concat([{ action: "backspace", label: "⌫", aria: "Xóa một chữ" }]),
    "zxcvbnm".split("").concat([{ action: "space", label: "Dấu cách", wide: true }]),
    [
      { tone: "\u0301", label: "á", caption: "sắc" },
      { tone: "\u0300", label: "à", caption: "huyền" },
      { tone: "\u0309", label: "ả", caption: "hỏi" },
      { tone: "\u0303", label: "ã", caption: "ngã" },
      { tone: "\u0323", label: "ạ", caption: "nặng" },
      { mark: "hat", label: "â ê ô", caption: "mũ" },
      { mark: "breve", label: "ă", caption: "trăng" },
      { mark: "horn", label: "ơ ư", caption: "móc" },
      { mark: "dd", label: "đ", caption: "đ", aria: "Chữ đ" }
    ]
  ];

  function buildKeyboard() {
    KEY_ROWS.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "kb-row";
      row.forEach(function (key) {
        if (typeof key === "string") { key = { letter: key, label: key }; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "key" + (key.tone ? " tone" : "") + (key.mark ? " mark" : "") +
          (key.wide ? " wide" : "") + (key.action && !key.wide ? " action" : "");
        button.appendChild(document.createTextNode(key.label));
        if (key.caption) {
          var small = document.createElement("small");
          small.textContent = key.caption;
          button.appendChild(small);
          button.setAttribute("aria-label", "Dấu " + key.caption);
        }
        if (key.aria) { button.setAttribute("aria-label", key.aria); }
        if (key.letter) { button.dataset.key = key.letter; }
        if (key.action) { button.dataset.action = key.action; }
        if (key.mark) { button.dataset.mark = key.mark; }
        if (key.tone) { button.dataset.tone = key.caption; }
        // Keep the focus (and the caret) in the search box.
        button.addEventListener("mousedown", function (event) { event.preventDefault(); });
        button.addEventListener("click", function () { pressKey(key); });
        line.appendChild(button);
      });
      el.keyboard.appendChild(line);
    });
  }

  function pressKey(key) {
    if (key.letter) {
      if (el.search.value.length < el.search.maxLength) { el.search.value += key.letter; }
      onSearchInput();
    } else if (key.tone) {
      editLastWord(function (word) { return withTone(word, key.tone); });
    } else if (key.mark) {
      editLastWord(function (word) { return withMark(word, key.mark); });
    } else if (key.action === "backspace") {
      el.search.value = Array.from(el.search.value).slice(0, -1).join("");
      onSearchInput();
    } else if (key.action === "space") {
      if (el.search.value && !/\s$/.test(el.search.value)) { el.search.value += " "; }
    }
  }

  function showKeyboard() {
    el.keyboard.hidden = false;
    el.toggleKeyboard.textContent = TEXT.closeKeyboard;
    el.toggleKeyboard.setAttribute("aria-expanded", "true");
  }

  function hideKeyboard() {
    el.keyboard.hidden = true;
    el.toggleKeyboard.textContent = TEXT.openKeyboard;
    el.toggleKeyboard.setAttribute("aria-expanded", "false");
  }

  el.toggleKeyboard.addEventListener("click", function () {
    if (el.keyboard.hidden) { showKeyboard(); el.search.focus(); } else { hideKeyboard(); }
  });

  // --- read aloud: only with a Vietnamese voice ---------------------------
  var synth = window.speechSynthesis || null;

  function findVoice() {
    if (!synth || !synth.getVoices) { return null; }
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^vi([-_]|$)/i.test(voices[i].lang || "")) { return voices[i]; }
    }
    return null;
  }

  function updateVoice() {
    state.voice = findVoice();
    body.classList.toggle("has-voice", !!state.voice);
  }

  function speakButton(text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "speak";
    button.textContent = TEXT.speak;
    button.addEventListener("click", function () { speak(text); });
    return button;
  }

  function speak(text) {
    if (!synth || !state.voice) { return; }
    synth.cancel();
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = state.voice.lang || "vi-VN";
    try { utterance.voice = state.voice; } catch (e) { /* the lang still picks a Vietnamese voice */ }
    utterance.rate = 0.9;
    synth.speak(utterance);
  }

  function stopSpeaking() {
    if (synth && synth.cancel) { synth.cancel(); }
  }

  updateVoice();
  if (synth && synth.addEventListener) { synth.addEventListener("voiceschanged", updateVoice); }

  // --- printable checklist with QR code ----------------------------------
  function openChecklist() {
    var code = state.procedure;
    if (!code) { return; }
    request("GET", "/kiosk/api/checklist/" + encodeURIComponent(code)).then(function (data) {
      renderChecklist(data);
      el.checklist.hidden = false;
      setState("checklist");
      el.checklist.scrollTop = 0;
    }).catch(function (error) {
      addBotMessage({ text: error.message || TEXT.offline }, true);
      scrollToEnd();
    });
  }

  function addFact(label, value) {
    if (!value) { return; }
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = value;
    el.clFacts.appendChild(dt);
    el.clFacts.appendChild(dd);
  }

  function pad(n) { return ("0" + n).slice(-2); }

  function renderChecklist(data) {
    el.clTitle.textContent = data.name;
    el.clMeta.textContent = (data.code ? TEXT.code + data.code : TEXT.codeUnverified) +
      " · " + TEXT.checkedOn + data.verified_on;
    el.clDocuments.textContent = "";
    (data.documents || []).forEach(function (d) {
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(d.name + " (" + (d.quantity > 1 ? d.quantity + TEXT.copies + ", " : "") + d.kind + ")."));
      if (d.notes) {
        var note = document.createElement("span");
        note.className = "doc-note";
        note.textContent = d.notes;
        li.appendChild(note);
      }
      el.clDocuments.appendChild(li);
    });
    el.clFacts.textContent = "";
    addFact(TEXT.fees, data.fees);
    addFact(TEXT.time, data.processing_time);
    addFact(TEXT.where, data.where_to_submit);
    addFact(TEXT.agency, data.agency);
    el.clNotes.textContent = "";
    var notes = (data.unverified || []).slice();
    if (!(data.documents || []).length) { notes.unshift(TEXT.noDocuments); }
    if (data.outdated) { notes.push(TEXT.outdated); }
    notes.forEach(function (n) {
      var li = document.createElement("li");
      li.textContent = n;
      el.clNotes.appendChild(li);
    });
    el.clUrl.textContent = data.source_url;
    el.clQr.textContent = "";
    el.clQr.dataset.url = data.source_url;
    try {
      var qr = qrcode(0, "M");
      qr.addData(data.source_url);
      qr.make();
      el.clQr.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true, title: TEXT.qrTitle });
    } catch (e) {
      el.clQr.textContent = "";  // the address is printed below it anyway
    }
    var now = new Date();
    el.clFooter.textContent = TEXT.printedAt + pad(now.getHours()) + ":" + pad(now.getMinutes()) + " ngày " +
      pad(now.getDate()) + "/" + pad(now.getMonth() + 1) + "/" + now.getFullYear() + TEXT.source;
  }

  function closeChecklist() {
    el.checklist.hidden = true;
    setState(el.conversation.hidden ? "start" : "conversation");
  }

  el.openChecklist.addEventListener("click", openChecklist);
  el.closeChecklist.addEventListener("click", closeChecklist);
  el.print.addEventListener("click", function () { window.print(); });

  // --- privacy: back to the start screen after a while without a touch ---
  var idleTimer = null;

  function resetKiosk() {
    var oldSession = state.session;
    var wasUsed = state.dirty;
    state.session = newSession();
    state.dirty = false;
    state.busy = false;
    stopSpeaking();
    el.messages.textContent = "";
    el.busy.hidden = true;
    setProcedure(null);
    clearSearch();
    hideKeyboard();
    el.checklist.hidden = true;
    el.conversation.hidden = true;
    el.start.hidden = false;
    el.main.scrollTop = 0;
    setState("start");
    if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
    if (wasUsed) {
      request("POST", "/kiosk/api/reset", { screen: screenName, session: oldSession }).catch(function () {});
    }
  }

  function touched() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(resetKiosk, idleSeconds * 1000);
  }

  ["pointerdown", "touchstart", "keydown", "input", "wheel"].forEach(function (name) {
    document.addEventListener(name, touched, { capture: true, passive: true });
  });
  el.search.addEventListener("input", function () { state.dirty = true; });
  el.home.addEventListener("click", resetKiosk);

  buildKeyboard();
  loadTopics();
  touched();
})();
