// Signing in, and an owner's first activation with the code from the community.

import { useState } from "preact/hooks";
import * as api from "app/api";
import { Alert, Field, fieldError, html, navigate, useTitle } from "app/ui";
import { homeOf } from "app/main";

function nextPath(session) {
  const next = new URLSearchParams(location.search).get("next");
  // Only a path of these pages: never an address elsewhere.
  return next && next.startsWith("/web/") && !next.startsWith("//") ? next : homeOf(session);
}

export function LoginPage() {
  useTitle("登录");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      const session = await api.login(form.get("username"), form.get("password"));
      navigate(nextPath(session), true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main id="main" tabindex="-1" class="page narrow">
    <h1>登录</h1>
    <form class="card" onSubmit=${submit} novalidate>
      <${Field} id="username" label="用户名">
        <input id="username" name="username" autocomplete="username" required maxlength="64" />
      <//>
      <${Field} id="password" label="密码">
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128" />
      <//>
      <div class="actions"><button type="submit" disabled=${busy}>${busy ? "正在登录……" : "登录"}</button></div>
      <${Alert} error=${error} />
    </form>
    <p>业主第一次使用？<a href="/web/activate">用社区发放的激活码开通账号</a></p>
  </main>`;
}

/** A slip's QR code opens this page with the code in the fragment (never sent to the server). */
function codeFromLink() {
  return new URLSearchParams(location.hash.slice(1)).get("code") || "";
}

export function ActivatePage() {
  useTitle("开通业主账号");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    if (form.get("password") !== form.get("password2")) {
      setError({ message: "两次输入的密码不一致。", errors: [{ field: "password2", message: "两次输入的密码不一致" }] });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.post("/owners/activate", {
        code: form.get("code").trim(),
        username: form.get("username").trim(),
        password: form.get("password"),
      });
      const session = await api.login(form.get("username").trim(), form.get("password"));
      navigate(homeOf(session), true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main id="main" tabindex="-1" class="page narrow">
    <h1>开通业主账号</h1>
    <p class="muted">请输入社区或业委会发给您的激活码，并设置用户名和密码。激活码自发放起 14 天内有效，只能使用一次；过期或遗失请联系社区重新发放。</p>
    <form class="card" onSubmit=${submit} novalidate>
      <${Field} id="code" label="激活码" error=${fieldError(error, "code")}>
        <input id="code" name="code" required autocomplete="one-time-code" maxlength="64" value=${codeFromLink()} />
      <//>
      <${Field} id="username" label="用户名" hint="3–64 个字符" error=${fieldError(error, "username")}>
        <input id="username" name="username" required autocomplete="username" maxlength="64" />
      <//>
      <${Field} id="password" label="密码" hint="至少 12 个字符" error=${fieldError(error, "password")}>
        <input id="password" name="password" type="password" required autocomplete="new-password" maxlength="128" />
      <//>
      <${Field} id="password2" label="再次输入密码" error=${fieldError(error, "password2")}>
        <input id="password2" name="password2" type="password" required autocomplete="new-password" maxlength="128" />
      <//>
      <div class="actions"><button type="submit" disabled=${busy}>${busy ? "正在开通……" : "开通并登录"}</button></div>
      <${Alert} error=${error} />
    </form>
  </main>`;
}
