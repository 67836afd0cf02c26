// Live view of one collection: the newest records from the REST API, kept current by the
// `change` events of a Socket.IO subscription. Plain browser JavaScript, no build step. Record
// data only ever reaches the page through textContent, never as HTML.

const PER_PAGE = 50;
const LOG_SIZE = 30;
const TOKEN_KEY = "tidings.demo.token";
const ACK_TIMEOUT_MS = 10_000;
// Shown in their own columns at the end, or not at all.
const TRAILING = ["created", "updated"];
const SKIPPED = new Set(["collectionId", "collectionName", "expand"]);

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("settings"),
  collection: $("collection"),
  filter: $("filter"),
  token: $("token"),
  state: $("state"),
  error: $("error"),
  count: $("count"),
  empty: $("empty"),
  table: $("records").parentElement,
  head: $("records").tHead.rows[0],
  body: $("records").tBodies[0],
  log: $("log"),
  seq: $("seq"),
};

/** Everything about the current view; replaced on every Connect. */
let view;

function setState(state, text) {
  ui.state.dataset.state = state;
  // The element is a live region: the same words again would be announced again.
  if (ui.state.textContent !== text) ui.state.textContent = text;
}

function showError(text) {
  ui.error.hidden = !text;
  ui.error.textContent = text ?? "";
}

/** `CODE: message` from an ack error, a REST error body or a connect_error's data. */
function describe(error, fallback) {
  if (error && typeof error === "object" && typeof error.code === "string")
    return `${error.code}: ${error.message ?? fallback}`;
  return fallback;
}

function cellText(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function columnsOf(records) {
  const seen = new Set(["id"]);
  for (const record of records)
    for (const key of Object.keys(record))
      if (!SKIPPED.has(key) && !TRAILING.includes(key)) seen.add(key);
  return [...seen, ...TRAILING];
}

function newestFirst(a, b) {
  if (a.created !== b.created) return a.created < b.created ? 1 : -1;
  return a.id < b.id ? -1 : 1;
}

function render() {
  const records = [...view.records.values()].sort(newestFirst);
  const columns = columnsOf(records);
  ui.head.replaceChildren(
    ...columns.map((name) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      return th;
    }),
  );
  ui.body.replaceChildren(
    ...records.map((record) => {
      const tr = document.createElement("tr");
      tr.dataset.id = record.id;
      if (record.id === view.flashId) tr.className = "flash";
      for (const name of columns) {
        const td = document.createElement("td");
        td.dataset.field = name;
        td.textContent = cellText(record[name]);
        td.title = td.textContent;
        if (record[name] === null || record[name] === undefined) td.className = "none";
        tr.append(td);
      }
      return tr;
    }),
  );
  // Only the render right after a change highlights it; later renders must not replay that.
  view.flashId = undefined;
  ui.table.hidden = records.length === 0;
  ui.empty.hidden = records.length > 0 || !view.loaded;
  ui.count.textContent = records.length ? `(${records.length} shown, newest first)` : "";
}

function logEvent(payload) {
  const item = document.createElement("li");
  const time = document.createElement("time");
  time.dateTime = payload.at;
  time.textContent = new Date(payload.at).toLocaleTimeString();
  const action = document.createElement("span");
  action.className = `action action-${payload.action}`;
  action.textContent = payload.action;
  const detail = document.createElement("span");
  detail.textContent = `${cellText(payload.record?.id)} · seq ${payload.seq}`;
  item.append(time, " ", action, " ", detail);
  ui.log.prepend(item);
  while (ui.log.children.length > LOG_SIZE) ui.log.lastElementChild.remove();
}

/** Adds or replaces a record unless what is shown is newer (an event older than the list). */
function upsert(record) {
  const current = view.records.get(record.id);
  if (current && current.updated > record.updated) return;
  view.records.set(record.id, record);
  view.flashId = record.id;
  // Only the first page is shown: past it a record would be one the list never loaded.
  const sorted = [...view.records.values()].sort(newestFirst);
  for (const extra of sorted.slice(PER_PAGE)) view.records.delete(extra.id);
}

function apply(payload) {
  if (payload.channel !== view.channel) return;
  // Apart from the status line, which would otherwise be announced on every change.
  ui.seq.textContent = `(last seq ${payload.seq})`;
  logEvent(payload);
  const id = payload.record?.id;
  if (payload.action === "deleted" || payload.action === "left") view.records.delete(id);
  else upsert(payload.record);
  render();
}

function showLive() {
  const transport = view.socket.io.engine?.transport?.name ?? "?";
  setState("live", `Live: ${view.collection} over ${transport}`);
}

async function loadRecords() {
  const query = new URLSearchParams({ perPage: String(PER_PAGE), sort: "-created" });
  if (view.filter) query.set("filter", view.filter);
  const headers = view.token ? { authorization: `Bearer ${view.token}` } : {};
  const url = `/api/collections/${encodeURIComponent(view.collection)}/records?${query}`;
  const response = await fetch(url, { headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(describe(body, `HTTP ${response.status}`));
  return body.items;
}

/** Subscribes, then lists: changes that arrive meanwhile wait and are applied over the list. */
async function synchronise(current) {
  const run = {};
  current.run = run;
  // A later Connect, reconnection or resubscribe makes this run's answers stale.
  const stale = () => current !== view || current.run !== run;
  current.pending = [];
  current.channel = undefined;
  setState("connecting", `Subscribing to ${current.collection}…`);
  const message = { collection: current.collection };
  if (current.filter) message.filter = current.filter;
  let ack;
  try {
    ack = await current.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("subscribe", message);
  } catch {
    ack = { ok: false, error: { code: "TIMEOUT", message: "the server did not answer." } };
  }
  if (stale()) return;
  if (!ack.ok) {
    setState("error", "Not subscribed");
    showError(`Cannot subscribe: ${describe(ack.error, "unknown error")}`);
    return;
  }
  current.channel = ack.channel;
  current.subscriptionId = ack.id;
  try {
    const items = await loadRecords();
    if (stale()) return;
    current.records = new Map(items.map((record) => [record.id, record]));
    current.loaded = true;
  } catch (error) {
    if (stale()) return;
    setState("error", "Subscribed, but the list failed");
    showError(`Cannot list records: ${error.message}`);
    return;
  }
  showError("");
  const pending = current.pending;
  current.pending = undefined;
  render();
  for (const payload of pending) apply(payload);
  showLive();
}

function connect(collection, filter, token) {
  view?.socket.disconnect();
  showError("");
  ui.log.replaceChildren();
  ui.seq.textContent = "";
  const socket = globalThis.io({ auth: token ? { token } : {} });
  const current = { collection, filter, token, socket, records: new Map() };
  view = current;
  render();
  setState("connecting", "Connecting…");
  // A socket replaced by a later Connect must not touch the page any more.
  const on = (event, handler) =>
    socket.on(event, (...args) => {
      if (current === view) handler(...args);
    });
  on("connect", () => void synchronise(current));
  on("change", (payload) => {
    if (current.pending) current.pending.push(payload);
    else apply(payload);
  });
  on("resubscribe", ({ channel }) => {
    if (channel !== current.channel) return;
    // The collection's rules changed: what this client may see may differ, so start over.
    socket.emit("unsubscribe", { id: current.subscriptionId }, () => {});
    void synchronise(current);
  });
  socket.io.on("open", () =>
    socket.io.engine.on("upgrade", () => current === view && current.channel && showLive()),
  );
  // Spread out, so that a restarting server is not hit by every page at once.
  const retrySoon = () =>
    setTimeout(() => current === view && socket.connect(), 1_000 + Math.random() * 2_000);
  on("connect_error", (error) => {
    const code = error.data?.code;
    // Without a code the server was not reached, and Socket.IO retries by itself. A refusal
    // carries a code and is final for Socket.IO; only "shutting down" is worth another try.
    if (!code) setState("offline", "Cannot reach the server; retrying…");
    else if (code === "UNAVAILABLE") {
      setState("offline", "The server is shutting down; retrying…");
      retrySoon();
    } else {
      setState("error", "Refused");
      showError(`Connection refused: ${describe(error.data, error.message)}`);
    }
  });
  on("tidings:disconnect", (reason) => {
    const text = `The server closed the connection (${reason.reason}).`;
    if (reason.reconnect) {
      setState("offline", `${text} Reconnecting…`);
      retrySoon();
    } else {
      setState("error", "Disconnected");
      showError(
        `${text} ${reason.code === "UNAUTHORIZED" ? "Paste a fresh token and connect." : ""}`,
      );
    }
  });
  on("disconnect", (reason) => {
    if (reason === "io client disconnect") return; // a new Connect is replacing this socket
    if (reason !== "io server disconnect") setState("offline", "Disconnected; reconnecting…");
    // Otherwise tidings:disconnect has said why, unless the server closed it without a word.
    else if (ui.state.dataset.state === "live")
      setState("error", "The server closed the connection; press Connect to retry.");
  });
}

function start() {
  const params = new URLSearchParams(location.search);
  ui.collection.value = params.get("collection") ?? "";
  ui.filter.value = params.get("filter") ?? "";
  ui.token.value = localStorage.getItem(TOKEN_KEY) ?? "";
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const collection = ui.collection.value.trim();
    const filter = ui.filter.value.trim();
    const token = ui.token.value.trim();
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
    const query = new URLSearchParams({ collection });
    if (filter) query.set("filter", filter);
    history.replaceState(null, "", `?${query}`);
    connect(collection, filter, token);
  });
  if (typeof globalThis.io !== "function") {
    setState("error", "No Socket.IO client");
    showError("Could not load /socket.io/socket.io.min.js from the server.");
  } else if (ui.collection.value && ui.collection.checkValidity()) ui.form.requestSubmit();
  else ui.collection.focus();
}

start();
