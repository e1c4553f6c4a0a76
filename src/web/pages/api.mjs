// The client of /api/v1 that every page uses.
//
// The access token lives only in this module's memory: never in localStorage or a readable
// cookie, so an injected script finds nothing to steal. The refresh token is an HttpOnly,
// SameSite=Strict cookie scoped to /api/v1/auth that no script can read (login with
// `refresh_delivery: "cookie"`). A minute before the access token expires it is renewed in the
// background; a page reload renews it the same way, so nobody is sent back to the login form
// every 15 minutes. Logging out ends the session on the server and clears the cookie.

const BASE = "/api/v1";
const SIGNED_IN = "redprop.signedIn";

/** An RFC 9457 problem from the API, with its stable `code` and the refused fields. */
export class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.errors = (body && body.errors) || [];
  }
}

let access = null;
let timer = null;
let refreshing = null;
let session = null; // { id, roles: [{ role, scope }] }
const listeners = new Set();

function notify() {
  for (const fn of listeners) fn(session);
}

/** Calls `fn(session)` whenever one starts or ends; returns the unsubscribe function. */
export function onSession(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function currentSession() {
  return session;
}

async function send(method, path, body, headers = {}) {
  // Problems and labels come back in Chinese: the pages are Chinese whatever the browser's
  // own language is.
  const h = { Accept: "application/json", "Accept-Language": "zh-CN", ...headers };
  if (access) h.Authorization = `Bearer ${access}`;
  const init = { method, headers: h, credentials: "same-origin" };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    h["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(BASE + path, init);
}

/** Where a record read from the API keeps its version (the response's ETag), to send back as
 * If-Match when it is changed: the server then refuses (412) to overwrite what someone else
 * saved in between. */
const TAG = Symbol("etag");
export const tagOf = (record) => (record && record[TAG]) || undefined;

async function read(resp) {
  if (resp.status === 204) return null;
  const type = resp.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await resp.json().catch(() => null) : await resp.text();
  if (!resp.ok) throw new Problem(resp.status, typeof body === "object" ? body : null);
  const tag = resp.headers.get("ETag");
  if (tag && body && typeof body === "object") Object.defineProperty(body, TAG, { value: tag });
  return body;
}

/** One API call; a 401 on an expired access token is answered by one refresh and a retry.
 * `ifMatch`: the record (as read) whose version the change is made against. */
export async function call(method, path, body, ifMatch) {
  const headers = tagOf(ifMatch) ? { "If-Match": tagOf(ifMatch) } : {};
  let resp = await send(method, path, body, headers);
  if (resp.status === 401 && access) {
    if (await refresh()) resp = await send(method, path, body, headers);
  }
  return read(resp);
}

/** Sends a file as the whole body (e.g. a spreadsheet to import), with its content type. */
export async function upload(path, file, type) {
  const go = () =>
    fetch(BASE + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": "zh-CN", "Content-Type": type, ...(access ? { Authorization: `Bearer ${access}` } : {}) },
      body: file,
    });
  let resp = await go();
  if (resp.status === 401 && access && (await refresh())) resp = await go();
  return read(resp);
}

/** A file (a photo) as a Blob, with the caller's token. */
export async function blob(path) {
  let resp = await send("GET", path, undefined, { Accept: "*/*" });
  if (resp.status === 401 && access && (await refresh())) resp = await send("GET", path, undefined, { Accept: "*/*" });
  if (!resp.ok) throw new Problem(resp.status, null);
  return resp.blob();
}

/** A document (HTML) the API renders, with the caller's token. */
export async function text(path) {
  return (await blob(path)).text();
}

export const get = (path) => call("GET", path);
export const post = (path, body = {}) => call("POST", path, body);
export const put = (path, body = {}, ifMatch) => call("PUT", path, body, ifMatch);
export const patch = (path, body = {}, ifMatch) => call("PATCH", path, body, ifMatch);

/** The claims of a JWT (who and which roles), read without verifying: the server verifies
 * every request; the pages only need to know which menus to show. */
function claims(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function accept(tokens) {
  access = tokens.access_token;
  clearTimeout(timer);
  // Renew a minute before expiry (at least 5 s from now).
  const ms = Math.max(5, (tokens.expires_in || 900) - 60) * 1000;
  timer = setTimeout(() => refresh(), ms);
  const c = claims(access);
  session = {
    id: c.sub,
    roles: (c.roles || []).map((r) => {
      const [role, scope] = r.split(":");
      return { role, scope: scope || null };
    }),
  };
  // Only a flag, no secret: tells the next page load that a refresh cookie may be there.
  localStorage.setItem(SIGNED_IN, "1");
  notify();
  return session;
}

function forget() {
  access = null;
  localStorage.removeItem(SIGNED_IN);
  clearTimeout(timer);
  if (session) {
    session = null;
    notify();
  }
}

/** Renews the access token from the refresh cookie (one request at a time); false if the
 * session is over. */
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        // The shell may have started this request already (see index.html).
        const early = window.__refresh;
        window.__refresh = null;
        const resp = await (early ||
          fetch(`${BASE}/auth/refresh`, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", Accept: "application/json" },
            body: "{}",
          }));
        if (!resp.ok) {
          forget();
          return false;
        }
        await accept(await resp.json());
        return true;
      } catch (e) {
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

/** Picks up the session of an earlier page load, if its cookie is still good (and only when
 * this browser signed in before: a first visit makes no request for it). */
export async function resume() {
  if (localStorage.getItem(SIGNED_IN) || window.__refresh) await refresh();
  return session;
}

export async function login(username, password) {
  const resp = await fetch(`${BASE}/auth/login`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": "zh-CN" },
    body: JSON.stringify({ username, password, refresh_delivery: "cookie" }),
  });
  return accept(await read(resp));
}

export async function logout() {
  try {
    if (access) await read(await send("POST", "/auth/logout"));
  } finally {
    forget();
  }
}

/** The scopes (ids) of the caller's grants of `role`. */
export function scopes(role) {
  return (session ? session.roles : []).filter((r) => r.role === role).map((r) => r.scope);
}

export function hasRole(role) {
  return !!session && session.roles.some((r) => r.role === role);
}
