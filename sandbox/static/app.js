"use strict";

// Chat page for the local Bot API sandbox: act as a persona, watch the bot answer live.
const MIKKELI_MARKET_SQUARE = { latitude: 61.6886, longitude: 27.2723 };
const $ = (id) => document.getElementById(id);
const FILE_ICON = '<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z"/><path d="M14 2v6h6"/>';
const PIN_ICON = '<path d="M21 10c0 7-9 13-9 13s-9-6-9-13a9 9 0 0 1 18 0z"/><circle cx="12" cy="10" r="3"/>';

// --- the page's own words follow the persona's language; the bot's texts are the bot's business ---

const LABELS = {
  en: {
    pageTitle: "Foorumi sandbox chat",
    note: "Local Bot API sandbox, not Telegram. Nothing leaves this computer.",
    youAre: "You are",
    chooseUser: "Choose which user you are",
    chat: "Chat",
    chooseChat: "Choose a chat",
    private: "private",
    bot: "bot",
    members: (n) => `${n} ${n === 1 ? "member" : "members"}`,
    conversation: "Conversation",
    menu: "Menu",
    commands: "Bot commands",
    attachPhoto: "Attach a photo",
    locationTitle: "Send location: Mikkeli market square",
    locationLabel: "Send location (Mikkeli market square)",
    placeholder: "Message",
    messageText: "Message text",
    send: "Send",
    botKeyboard: "Bot keyboard",
    ok: "OK",
    emptyTitle: "What can this bot do?",
    emptyText: "This is the Foorumi bot running against the local sandbox.",
    start: "Start",
    spoiler: "Hidden text, activate to reveal",
    edited: (time) => `edited ${time}`,
    photo: "Photo",
    document: "Document",
    kilobytes: "KB",
    location: (where) => `Location ${where}`,
    error: (message) => `Sandbox: ${message}`,
    actions: {
      typing: "typing…", upload_photo: "sending a photo…", upload_document: "sending a file…",
      record_video: "recording a video…", upload_video: "sending a video…",
      record_voice: "recording a voice message…", upload_voice: "sending a voice message…",
      record_video_note: "recording a video message…", upload_video_note: "sending a video message…",
      choose_sticker: "choosing a sticker…", find_location: "choosing a location…",
    },
  },
  fi: {
    pageTitle: "Foorumi – testiympäristön keskustelu",
    note: "Paikallinen Bot API -testiympäristö, ei Telegram. Mikään ei lähde tältä tietokoneelta.",
    youAre: "Sinä olet",
    chooseUser: "Valitse, kuka käyttäjistä olet",
    chat: "Keskustelu",
    chooseChat: "Valitse keskustelu",
    private: "yksityinen",
    bot: "botti",
    members: (n) => `${n} ${n === 1 ? "jäsen" : "jäsentä"}`,
    conversation: "Viestit",
    menu: "Valikko",
    commands: "Botin komennot",
    attachPhoto: "Liitä kuva",
    locationTitle: "Lähetä sijainti: Mikkelin tori",
    locationLabel: "Lähetä sijainti (Mikkelin tori)",
    placeholder: "Viesti",
    messageText: "Viestin teksti",
    send: "Lähetä",
    botKeyboard: "Botin näppäimistö",
    ok: "OK",
    emptyTitle: "Mitä tämä botti osaa?",
    emptyText: "Tämä on Foorumi-botti, joka toimii paikallisessa testiympäristössä.",
    start: "Aloita",
    spoiler: "Piilotettu teksti, näytä valitsemalla",
    edited: (time) => `muokattu ${time}`,
    photo: "Kuva",
    document: "Tiedosto",
    kilobytes: "kt",
    location: (where) => `Sijainti ${where}`,
    error: (message) => `Testiympäristön virhe: ${message}`,
    actions: {
      typing: "kirjoittaa…", upload_photo: "lähettää kuvaa…", upload_document: "lähettää tiedostoa…",
      record_video: "kuvaa videota…", upload_video: "lähettää videota…",
      record_voice: "nauhoittaa ääniviestiä…", upload_voice: "lähettää ääniviestiä…",
      record_video_note: "kuvaa videoviestiä…", upload_video_note: "lähettää videoviestiä…",
      choose_sticker: "valitsee tarraa…", find_location: "valitsee sijaintia…",
    },
  },
  sv: {
    pageTitle: "Foorumi – chatt i testmiljön",
    note: "Lokal testmiljö för Bot API, inte Telegram. Ingenting lämnar den här datorn.",
    youAre: "Du är",
    chooseUser: "Välj vilken användare du är",
    chat: "Chatt",
    chooseChat: "Välj chatt",
    private: "privat",
    bot: "bot",
    members: (n) => `${n} ${n === 1 ? "medlem" : "medlemmar"}`,
    conversation: "Meddelanden",
    menu: "Meny",
    commands: "Botens kommandon",
    attachPhoto: "Bifoga en bild",
    locationTitle: "Skicka plats: S:t Michels torg",
    locationLabel: "Skicka plats (S:t Michels torg)",
    placeholder: "Meddelande",
    messageText: "Meddelandets text",
    send: "Skicka",
    botKeyboard: "Botens tangentbord",
    ok: "OK",
    emptyTitle: "Vad kan den här boten göra?",
    emptyText: "Det här är Foorumi-boten som körs i den lokala testmiljön.",
    start: "Starta",
    spoiler: "Dold text, välj för att visa",
    edited: (time) => `redigerat ${time}`,
    photo: "Bild",
    document: "Dokument",
    kilobytes: "kB",
    location: (where) => `Plats ${where}`,
    error: (message) => `Fel i testmiljön: ${message}`,
    actions: {
      typing: "skriver…", upload_photo: "skickar en bild…", upload_document: "skickar en fil…",
      record_video: "spelar in en video…", upload_video: "skickar en video…",
      record_voice: "spelar in ett röstmeddelande…", upload_voice: "skickar ett röstmeddelande…",
      record_video_note: "spelar in ett videomeddelande…", upload_video_note: "skickar ett videomeddelande…",
      choose_sticker: "väljer ett klistermärke…", find_location: "väljer en plats…",
    },
  },
};

function t(key, ...args) {
  const value = LABELS[view.lang][key];
  return typeof value === "function" ? value(...args) : value;
}

function languageOf(user) {
  const code = (user.language_code ?? "").slice(0, 2).toLowerCase();
  return code in LABELS ? code : "en";
}

// Elements in index.html name their words: data-label="text:menu aria-label:commands".
function translatePage() {
  document.documentElement.lang = view.lang;
  document.title = t("pageTitle");
  for (const node of document.querySelectorAll("[data-label]")) {
    for (const pair of node.dataset.label.split(" ")) {
      const [attribute, key] = pair.split(":");
      if (attribute === "text") node.textContent = t(key);
      else node.setAttribute(attribute, t(key));
    }
  }
}

function icon(paths) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = paths;
  return svg;
}

const view = {
  users: [],
  me: null,          // current user object
  lang: "en",        // the page's own words: fi, sv or en, from me.language_code
  chatId: null,
  seq: 0,
  generation: 0,     // bumps on every chat switch so stale long polls stop
  messages: new Map(),
  typingTimer: null,
};

async function api(path, options = {}) {
  const response = await fetch(`/sandbox/api${path}`, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

const postJson = (path, body) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// --- formatted text: entities use UTF-16 offsets, which is what JS strings index by ---

function entityElement(entity, text) {
  switch (entity.type) {
    case "bold": return el("strong");
    case "italic": return el("em");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "spoiler": {
      const span = el("span", { class: "spoiler", tabindex: "0", role: "button", "aria-label": t("spoiler") });
      const reveal = () => { span.classList.add("revealed"); span.removeAttribute("aria-label"); };
      span.addEventListener("click", reveal);
      span.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") reveal(); });
      return span;
    }
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": case "expandable_blockquote": return el("blockquote");
    case "text_link": return el("a", { href: entity.url, target: "_blank", rel: "noopener noreferrer" });
    case "url": return el("a", { href: text, target: "_blank", rel: "noopener noreferrer" });
    case "email": return el("a", { href: `mailto:${text}` });
    case "bot_command": return el("button", { type: "button", class: "command", onclick: () => sendText(text) });
    default: return el("span");
  }
}

function renderEntities(text, entities = [], start = 0, end = text.length) {
  const fragment = document.createDocumentFragment();
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  let cursor = start;
  for (let i = 0; i < sorted.length; i++) {
    const entity = sorted[i];
    const entityEnd = Math.min(entity.offset + entity.length, end);
    if (entity.offset < cursor || entity.offset >= end) continue;
    fragment.append(text.slice(cursor, entity.offset));
    const inner = sorted.filter((other, j) => j !== i && other.offset >= entity.offset &&
      other.offset + other.length <= entityEnd);
    const node = entityElement(entity, text.slice(entity.offset, entityEnd));
    node.append(renderEntities(text, inner, entity.offset, entityEnd));
    fragment.append(node);
    cursor = entityEnd;
  }
  fragment.append(text.slice(cursor, end));
  return fragment;
}

// --- messages ---

function formatTime(message) {
  const time = new Date(message.date * 1000).toLocaleTimeString(view.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return message.edit_date ? t("edited", time) : time;
}

function inlineKeyboard(message) {
  const rows = message.reply_markup?.inline_keyboard;
  if (!rows) return null;
  return el("div", { class: "inline-keyboard" }, ...rows.map((row) => el("div", { class: "row" },
    ...row.map((button) => button.url
      ? el("a", { href: button.url, target: "_blank", rel: "noopener noreferrer" }, `${button.text} ↗`)
      : el("button", { type: "button", onclick: (event) => press(event.currentTarget, message, button) }, button.text)))));
}

function messageBody(message) {
  const parts = [];
  if (message.photo) {
    const size = message.photo[message.photo.length - 1];
    parts.push(el("img", { class: "photo", src: message.download_url, alt: message.caption || t("photo"),
      width: size.width, height: size.height }));
  }
  if (message.document) {
    const doc = message.document;
    const size = doc.file_size ? ` · ${Math.max(1, Math.round(doc.file_size / 1024))} ${t("kilobytes")}` : "";
    parts.push(el("div", { class: "document" }, icon(FILE_ICON),
      el("a", { href: message.download_url, download: doc.file_name || "document" },
        `${doc.file_name || t("document")}${size}`)));
  }
  if (message.venue) {
    parts.push(el("div", { class: "document" }, icon(PIN_ICON),
      el("b", {}, message.venue.title), ` · ${message.venue.address}`));
  } else if (message.location) {
    const { latitude, longitude } = message.location;
    parts.push(el("div", { class: "document" }, icon(PIN_ICON), t("location", `${latitude.toFixed(4)}, ${longitude.toFixed(4)}`)));
  }
  const text = message.text ?? message.caption;
  if (text) {
    const node = el("div", { class: "text" });
    node.append(renderEntities(text, message.entities ?? message.caption_entities ?? []));
    parts.push(node);
  }
  return parts;
}

function renderMessage(message) {
  const outgoing = !message.from_bot && message.from.id === view.me.id;
  const isGroup = message.chat.type !== "private";
  const sender = isGroup && !outgoing
    ? el("span", { class: "sender" }, [message.from.first_name, message.from.last_name].filter(Boolean).join(" "))
    : null;
  return el("div", { class: `bubble-row ${outgoing ? "out" : "in"}`, "data-message-id": message.message_id },
    el("div", { class: "bubble" }, sender, ...messageBody(message), el("span", { class: "meta" }, formatTime(message))),
    inlineKeyboard(message));
}

function upsertMessage(message) {
  const list = $("messages");
  const existing = list.querySelector(`[data-message-id="${message.message_id}"]`);
  const node = renderMessage(message);
  view.messages.set(message.message_id, message);
  if (existing) existing.replaceWith(node);
  else {
    list.querySelector(".empty")?.remove();
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.append(node);
    if (atBottom || !message.from_bot) node.scrollIntoView({ block: "end" });
  }
}

function removeMessage(messageId) {
  view.messages.delete(messageId);
  $("messages").querySelector(`[data-message-id="${messageId}"]`)?.remove();
}

async function showEmptyChat() {
  const info = await api(`/chats/${view.chatId}/commands?user_id=${view.me.id}`);
  const box = el("div", { class: "empty" }, el("h2", {}, t("emptyTitle")), el("p", {}, info.description || t("emptyText")));
  if (view.chatId === view.me.id) {
    box.append(el("button", { type: "button", class: "start-button", onclick: () => sendText("/start") }, t("start")));
  }
  $("messages").replaceChildren(box);
}

// --- keyboards, menu, toasts ---

function renderReplyKeyboard(markup) {
  const panel = $("reply-keyboard");
  const input = $("text-input");
  input.placeholder = markup?.input_field_placeholder || t("placeholder");
  if (!markup?.keyboard) { panel.hidden = true; panel.replaceChildren(); return; }
  panel.replaceChildren(...markup.keyboard.map((row) => el("div", { class: "row" }, ...row.map((button) =>
    el("button", { type: "button", onclick: () => button.request_location ? sendLocation() : sendText(button.text) },
      button.text)))));
  panel.hidden = false;
}

async function loadMenu() {
  const info = await api(`/chats/${view.chatId}/commands?user_id=${view.me.id}`);
  const button = $("menu-button");
  const menu = $("menu");
  closeMenu();
  button.hidden = info.commands.length === 0;
  menu.replaceChildren(...info.commands.map((command) => el("button", {
    type: "button", role: "menuitem", onclick: () => { closeMenu(); sendText(`/${command.command}`); },
  }, el("span", { class: "name" }, `/${command.command}`), el("span", { class: "description" }, command.description))));
}

function closeMenu() {
  $("menu").hidden = true;
  $("menu-button").setAttribute("aria-expanded", "false");
}

function toggleMenu() {
  const menu = $("menu");
  menu.hidden = !menu.hidden;
  $("menu-button").setAttribute("aria-expanded", String(!menu.hidden));
  if (!menu.hidden) menu.querySelector("button")?.focus();
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3000);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert-dialog").showModal();
}

function showTyping(action) {
  const status = $("chat-status");
  status.textContent = LABELS[view.lang].actions[action] ?? `${action.replaceAll("_", " ")}…`;
  clearTimeout(view.typingTimer);
  view.typingTimer = setTimeout(() => { status.textContent = statusLine(); }, 5000);
}

// --- acting as the user ---

async function act(promise) {
  try { return await promise; } catch (error) { toast(t("error", error.message)); return null; }
}

async function sendText(text) {
  if (!text.trim()) return;
  await act(postJson(`/users/${view.me.id}/messages`, { text, chat_id: view.chatId }));
}

async function sendLocation() {
  await act(postJson(`/users/${view.me.id}/locations`, { ...MIKKELI_MARKET_SQUARE, chat_id: view.chatId }));
}

async function sendPhoto(file) {
  const form = new FormData();
  form.append("photo", file, file.name);
  form.append("chat_id", String(view.chatId));
  await act(api(`/users/${view.me.id}/photos`, { method: "POST", body: form }));
}

async function press(button, message, keyboardButton) {
  button.setAttribute("aria-busy", "true");
  await act(postJson(`/users/${view.me.id}/callbacks`, {
    message_id: message.message_id, data: keyboardButton.callback_data, chat_id: view.chatId,
  }));
  setTimeout(() => button.removeAttribute("aria-busy"), 1500);
}

// --- live updates ---

function applyEvent(event) {
  if ((event.type === "message" || event.type === "edit") && event.message) upsertMessage(event.message);
  else if (event.type === "delete") removeMessage(event.message_id);
  else if (event.type === "answer" && event.user_id === view.me.id) {
    document.querySelectorAll('[aria-busy="true"]').forEach((node) => node.removeAttribute("aria-busy"));
    if (event.text) (event.show_alert ? showAlert : toast)(event.text);
  } else if (event.type === "action") showTyping(event.action);
}

async function loadTranscript() {
  const data = await api(`/chats/${view.chatId}/transcript`);
  view.seq = data.seq;
  view.messages.clear();
  $("messages").replaceChildren();
  if (data.messages.length === 0) await showEmptyChat();
  data.messages.forEach(upsertMessage);
  renderReplyKeyboard(data.reply_keyboard);
  $("messages").scrollTop = $("messages").scrollHeight;
}

async function pollEvents(generation) {
  while (generation === view.generation) {
    try {
      const data = await api(`/chats/${view.chatId}/events?after=${view.seq}&timeout=25`);
      if (generation !== view.generation) return;
      if (data.reset || data.events.some((event) => event.type === "reset")) await loadTranscript();
      else {
        data.events.forEach(applyEvent);
        view.seq = data.seq;
        renderReplyKeyboard(data.reply_keyboard);
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 2000));  // sandbox restarting; try again
    }
  }
}

// --- choosing who you are and where ---

function statusLine() {
  const chat = view.chats?.find((c) => c.id === view.chatId);
  if (!chat || chat.type === "private") return t("bot");
  return t("members", Object.keys(chat.members).length + 1);
}

async function selectChat(chatId) {
  view.chatId = chatId;
  view.generation += 1;
  const chat = view.chats.find((c) => c.id === chatId);
  $("chat-title").textContent = chat.type === "private" ? view.botName : chat.name;
  $("chat-avatar").textContent = (chat.type === "private" ? view.botName : chat.name).slice(0, 1);
  $("chat-status").textContent = statusLine();
  await loadTranscript();
  await loadMenu();
  pollEvents(view.generation);
}

async function selectUser(userId) {
  view.me = view.users.find((user) => user.id === userId);
  view.lang = languageOf(view.me);
  translatePage();
  localStorage.setItem("sandbox-user", String(userId));
  view.chats = await api(`/chats?user_id=${userId}`);
  $("chat-select").replaceChildren(...view.chats.map((chat) =>
    el("option", { value: chat.id }, chat.type === "private" ? `${view.botName} · ${t("private")}` : chat.name)));
  await selectChat(userId);
}

async function init() {
  const info = await api("/info");
  view.botName = info.bot.first_name;
  view.users = await api("/users");
  $("user-select").replaceChildren(...view.users.map((user) => el("option", { value: user.id },
    `${user.first_name} ${user.last_name ?? ""} · ${user.language_code ?? "–"}${user.about ? ` · ${user.about}` : ""}`)));
  const wanted = Number(new URLSearchParams(location.search).get("user") || localStorage.getItem("sandbox-user"));
  const first = view.users.find((user) => user.id === wanted) ?? view.users[0];
  $("user-select").value = String(first.id);

  $("user-select").addEventListener("change", (e) => selectUser(Number(e.target.value)));
  $("chat-select").addEventListener("change", (e) => selectChat(Number(e.target.value)));
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("text-input");
    sendText(input.value);
    input.value = "";
  });
  $("location-button").addEventListener("click", sendLocation);
  $("photo-input").addEventListener("change", (e) => {
    if (e.target.files[0]) sendPhoto(e.target.files[0]);
    e.target.value = "";
  });
  $("menu-button").addEventListener("click", toggleMenu);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeMenu(); });
  await selectUser(first.id);
}

init();
