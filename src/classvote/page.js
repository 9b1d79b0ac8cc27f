// The class vote page on a student's phone: joins with the session code, shows the open
// decision, sends the student's vote (a later one replaces it). Every word comes from the
// server, in the class's language (Rapport's string table).
"use strict";

const state = { code: null, device: null, ballot: null, mine: null, text: null, timer: null };
const $ = (id) => document.getElementById(id);

function setText(text) {
  if (!text) return;
  state.text = text;
  document.documentElement.lang = text.lang;
  document.title = text.title;
  $("title").textContent = "Rapport · " + text.title;
  $("enter-label").textContent = text.enter_code;
  $("join").textContent = text.join;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.style.display = message ? "block" : "none";
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw { status: 0, error: state.text ? state.text.offline : "Offline" };
  }
  const data = await response.json().catch(() => ({}));
  setText(data.text);
  if (!response.ok) throw { status: response.status, error: data.error || response.statusText };
  return data;
}

function deviceKey() { return "rapport-vote-device-" + state.code; }

async function join() {
  const data = await call("POST", "/api/join", { code: state.code });
  state.device = data.device;
  try { localStorage.setItem(deviceKey(), data.device); } catch (e) { /* private mode */ }
}

function render(data) {
  const t = state.text;
  const ballot = data.ballot;
  state.mine = data.mine;
  $("question").hidden = !ballot;
  if (!ballot) {
    $("status").textContent = t.waiting;
    state.ballot = null;
    return;
  }
  if (!state.ballot || state.ballot.number !== ballot.number) {
    $("options").textContent = "";
    ballot.options.forEach((label, i) => {
      const b = document.createElement("button");
      b.className = "option";
      b.dataset.option = String(i);
      const letter = document.createElement("span");
      letter.className = "letter";
      letter.textContent = String(i + 1) + ".";
      b.append(letter, document.createTextNode(label));
      b.addEventListener("click", () => vote(i));
      $("options").append(b);
    });
  }
  state.ballot = ballot;
  $("customer").textContent = ballot.customer;
  $("line").textContent = ballot.line;
  $("decision").textContent = t.decision.replace("{0}", ballot.number);
  document.querySelectorAll(".option").forEach((b) => {
    b.classList.toggle("mine", Number(b.dataset.option) === data.mine);
    b.disabled = !data.open;
  });
  if (!data.open) $("status").textContent = t.closed;
  else if (data.mine !== null && data.mine !== undefined)
    $("status").textContent = t.voted.replace("{0}", String(data.mine + 1)) + (t.lang.startsWith("zh") ? "" : " ") + t.change;
  else $("status").textContent = "";
}

async function refresh() {
  try {
    const device = state.device ? "&device=" + encodeURIComponent(state.device) : "";
    const data = await call("GET", "/api/ballot?code=" + encodeURIComponent(state.code) + device);
    showError("");
    render(data);
  } catch (e) {
    showError(e.error);
    if (e.status === 403) { stop(); ask(); }
  }
}

async function vote(option) {
  try {
    await call("POST", "/api/vote", { code: state.code, device: state.device, ballot: state.ballot.number, option });
    showError("");
  } catch (e) {
    if (e.status === 401) { await join().catch(() => {}); }
    showError(e.error);
  }
  refresh();
}

function stop() { if (state.timer) clearInterval(state.timer); state.timer = null; }

async function start(code) {
  state.code = code;
  try { state.device = localStorage.getItem(deviceKey()); } catch (e) { state.device = null; }
  try {
    if (!state.device) await join();
  } catch (e) {
    showError(e.error);
    if (e.status === 403) { ask(); }
    return;
  }
  $("enter").hidden = true;
  await refresh();
  stop();
  state.timer = setInterval(refresh, 1500);
}

function ask() {
  $("enter").hidden = false;
  $("question").hidden = true;
}

window.addEventListener("DOMContentLoaded", async () => {
  // The page's words before any answer: fetched with an empty code (refused, with the text).
  await call("GET", "/api/ballot?code=").catch(() => {});
  $("join").addEventListener("click", () => start($("code").value.trim()));
  $("code").addEventListener("keydown", (e) => { if (e.key === "Enter") start($("code").value.trim()); });
  const code = new URLSearchParams(location.search).get("c");
  if (code) start(code.trim()); else ask();
});
