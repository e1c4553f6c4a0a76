// The shell: header, session, and which page a path shows. Each page is its own module, loaded
// when first visited, so an owner's phone never downloads the officials' charts.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { html, interceptLinks, navigate, usePath, label } from "app/ui";

/** The route table (`routes.json`, also read by the server to preload each page's modules):
 * path patterns (`:id` parts become props) → module and exported page. */
const ROUTES = JSON.parse(document.getElementById("routes").textContent);

function match(path) {
  const parts = path.replace(/\/+$/, "").split("/");
  for (const { path: pattern, module, page: name } of ROUTES) {
    const want = pattern.split("/");
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(":") ? ((params[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) {
      return { module, name, params };
    }
  }
  return null;
}

/** Where a signed-in person starts, by their roles. */
export function homeOf(session) {
  if (!session) return "/web/login";
  const roles = new Set(session.roles.map((r) => r.role));
  if (roles.has("bureau") || roles.has("admin")) return "/web/dashboard";
  if (roles.has("party_org") || roles.has("committee")) return "/web/console";
  if (roles.has("department")) return "/web/reviews";
  if (roles.has("company")) return "/web/company";
  if (roles.has("owner")) return "/web/owner";
  return "/web/console";
}

const ROLE_NAMES = {
  admin: "管理员", bureau: "住建局", party_org: "党组织", committee: "业委会/物管会",
  company: "物业企业", owner: "业主", department: "县直部门",
};

/** Officials work on laptops: their menu is a side menu there (Element habits); owners keep the
 * top bar and the bottom tab bar of a phone. */
const OFFICIAL = new Set(["admin", "bureau", "party_org", "committee", "department", "company"]);

/** How many notices the person has not read: read again on each page and when a page marks
 * some read (the `notices-read` event), for the badge. */
function useUnread(session, path) {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!session) return;
    let live = true;
    const read = () => api.get("/me/notices/unread").then((r) => live && setN(r.unread), () => {});
    read();
    window.addEventListener("notices-read", read);
    return () => {
      live = false;
      window.removeEventListener("notices-read", read);
    };
  }, [session, path]);
  return session ? n : 0;
}

/** The badge of unread notices (a count people can read, and a screen reader too). */
function UnreadBadge({ n }) {
  return n > 0 ? html`<span class="count" aria-label=${`${n} 条未读`}>${n > 99 ? "99+" : n}</span>` : null;
}

function Header({ session, path, unread }) {
  const roles = session ? [...new Set(session.roles.map((r) => ROLE_NAMES[r.role] || label("", r.role)))] : [];
  const out = async () => {
    await api.logout();
    navigate("/web/login", true);
  };
  const links = [];
  if (session) {
    const has = (r) => session.roles.some((g) => g.role === r);
    if (has("owner")) links.push(["/web/owner", "我的小区"]);
    if (has("committee") || has("party_org") || has("admin")) links.push(["/web/console", "工作台"]);
    if (has("bureau") || has("admin") || has("party_org")) links.push(["/web/dashboard", "数据看板"], ["/web/registry", "登记信息"]);
    if (has("bureau")) links.push(["/web/ratings", "星级评定"]);
    if (has("bureau") || has("party_org")) links.push(["/web/accounts", "阳光账目"], ["/web/service", "党员志愿服务"]);
    if (has("department")) links.push(["/web/reviews", "资格联审"]);
    if (has("company")) links.push(["/web/company", "企业工作台"]);
    if (has("company") || has("bureau")) links.push(["/web/webhooks", "事件推送"]);
  }
  const owner = !!session && session.roles.every((r) => r.role === "owner");
  const official = !!session && session.roles.some((r) => OFFICIAL.has(r.role));
  return html`<header class=${official ? "bar side" : "bar"}>
    <a class="brand" href=${homeOf(session)}><img src=${document.querySelector("link[rel=icon]").href} alt="" />红色物业</a>
    <nav aria-label="主导航">
      ${links.map(([href, text]) => html`<a href=${href} aria-current=${path && path.startsWith(href) ? "page" : undefined}>${text}</a>`)}
      ${session && !owner && html`<a href="/web/notices" aria-current=${path && path.startsWith("/web/notices") ? "page" : undefined}>通知<${UnreadBadge} n=${unread} /></a>`}
    </nav>
    ${session
      ? html`<span class="who">${roles.join("、")}</span>
          <button class="link" onClick=${out}>退出登录</button>`
      : html`<a href="/web/login">登录</a>`}
  </header>`;
}

/** An owner's main places, at the bottom of the phone's screen (WeChat habits). Only for a
 * person who is an owner and nothing else: officials use the top menu. */
function TabBar({ session, path, unread }) {
  if (!session || !session.roles.every((r) => r.role === "owner")) return null;
  const tabs = [["/web/owner", "首页", "⌂"], ["/web/owner/report", "报事", "✎"], ["/web/notices", "通知", "✉"]];
  return html`<nav class="tabbar" aria-label="业主导航">
    ${tabs.map(([href, text, icon]) => html`<a href=${href} aria-current=${path === href ? "page" : undefined}><span aria-hidden="true">${icon}</span>${text}${href === "/web/notices" && html`<${UnreadBadge} n=${unread} />`}</a>`)}
  </nav>`;
}

function App() {
  const path = usePath();
  const [session, setSession] = useState(api.currentSession());
  const [ready, setReady] = useState(false);
  const [page, setPage] = useState(null);
  const unread = useUnread(session, path);

  useEffect(() => {
    const off = api.onSession(setSession);
    api.resume().finally(() => setReady(true));
    return off;
  }, []);

  // Public pages do not wait for the session to be picked up.
  const isPublic = path === "/web/login" || path === "/web/activate";
  const go = ready || isPublic;
  useEffect(() => {
    if (!go) return;
    if (path === "/web" || path === "/web/") {
      if (!ready) return;
      navigate(homeOf(session), true);
      return;
    }
    const m = match(path);
    if (!m) {
      setPage({ Component: () => html`<main id="main" tabindex="-1" class="page"><h1>页面不存在</h1><p><a href="/web/">返回首页</a></p></main>`, params: {} });
      return;
    }
    let live = true;
    import(`app/${m.module}`).then((mod) => live && setPage({ Component: mod[m.name], params: m.params }));
    return () => {
      live = false;
    };
  }, [path, go, session === null]);

  // A page that needs a session sends a visitor without one to the login form.
  useEffect(() => {
    if (ready && !session && !isPublic) navigate(`/web/login?next=${encodeURIComponent(path)}`, true);
  }, [ready, session, path]);

  return html`<${Header} session=${session} path=${path} unread=${unread} />
    ${!go || !page
      ? html`<main id="main" tabindex="-1" class="page"><p class="muted" role="status">正在加载……</p></main>`
      : html`<${page.Component} ...${page.params} session=${session} />`}
    <${TabBar} session=${session} path=${path} unread=${unread} />`;
}

interceptLinks();
render(html`<${App} />`, document.getElementById("app"));
