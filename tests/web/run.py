#!/usr/bin/env python3
"""The web pages in a real browser (issue 16): Debian's Chromium driven through WebDriver
(selenium) against a live `redprop serve`, on SQLite and, when a PostgreSQL URL is given, on
PostgreSQL. Run by scripts/test-web, which installs what this needs.

Every scenario is what a person does: an owner activates and votes on a phone, changes the vote
and finds the receipt after the close; a convenor enters a paper ballot and sees the turnout
chart move; the bureau's dashboard draws its charts with data; the public estate page shows no
personal data; the content security policy stops an injected inline script. Screenshots of each
page on both viewports go to target/web-screenshots/<backend>/.

  tests/web/run.py [--postgres URL] [--only NAME] [--perf]
"""
import argparse, json, os, pathlib, re, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.error, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.webdriver.remote.webelement import WebElement

_click = WebElement.click


def _centred_click(self):
    """A click as a thumb makes it: on the element brought to the middle of the screen (clear of
    the phone's bottom tab bar, which a click at the screen's edge would hit instead)."""
    try:
        self.parent.execute_script("arguments[0].scrollIntoView({block: 'center'})", self)
    except Exception:
        pass
    _click(self)


WebElement.click = _centred_click

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("REDPROP_BIN", ROOT / "target" / "debug" / "redprop"))
SHOTS = ROOT / "target" / "web-screenshots"
PHONE = (360, 780)
LAPTOP = (1366, 900)
ADMIN_PASSWORD = "admin-password-web-1"
PASSWORD = "web-test-password-1"
DAY = 86400


# ---------------------------------------------------------------- the server and its API


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A fresh `redprop serve` with the demo county, on its own data folder (and database)."""

    def __init__(self, postgres=None):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="redprop-web-"))
        self.env = dict(os.environ, REDPROP_DATA_DIR=str(self.dir), REDPROP_TEST_CLOCK="1", REDPROP_LOG="json",
                        # Texts go to the log transport: the proof of notice shows them.
                        REDPROP_SMS="log")
        self.env.pop("DATABASE_URL", None)
        self.db = None
        if postgres:
            self.db = f"redprop_web_{os.getpid()}_{int(time.time())}"
            admin_url = postgres
            subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{self.db}"'], check=True)
            base = postgres.rsplit("/", 1)[0]
            self.env["DATABASE_URL"] = f"{base}/{self.db}"
            self.admin_url = admin_url
        self.port = free_port()
        self.env["REDPROP_BIND"] = f"127.0.0.1:{self.port}"
        self.base = f"http://127.0.0.1:{self.port}"
        subprocess.run([str(BIN), "admin", "create", "--username", "admin"], check=True, capture_output=True,
                       env=dict(self.env, REDPROP_ADMIN_PASSWORD=ADMIN_PASSWORD))
        subprocess.run([str(BIN), "demo", "--bare"], env=self.env, check=True, capture_output=True)
        self.log = open(self.dir / "server.log", "wb")
        self.proc = subprocess.Popen([str(BIN), "serve"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start; see " + str(self.dir / "server.log"))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.db:
            subprocess.run(["psql", self.admin_url, "-qc", f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)'], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class Api:
    def __init__(self, base, token=None):
        self.base, self.token = base, token

    def call(self, method, path, body=None, expect=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        out = json.loads(text) if text else None
        if expect is not None and status != expect:
            raise AssertionError(f"{method} {path}: {status} (wanted {expect}): {out}")
        return out

    def login(self, username, password):
        t = self.call("POST", "/api/v1/auth/login", {"username": username, "password": password}, expect=200)
        return Api(self.base, t["access_token"])


def seed(server):
    """The people of one estate of the demo county (和园小区), and a vote that is open."""
    admin = Api(server.base).login("admin", ADMIN_PASSWORD)
    estates = admin.call("GET", "/api/v1/estates?limit=100", expect=200)["items"]
    heyuan = next(e for e in estates if e["name"] == "和园小区")
    county = admin.call("GET", f"/api/v1/orgs/{heyuan['community_id']}", expect=200)["ancestors"][0]
    county_id = county["id"] if isinstance(county, dict) else county
    users = {}
    company = heyuan["current_company_id"]
    assert company, "the demo estate has a serving company"
    for name, role, scope in [
        ("bureau", "bureau", county_id),
        ("party", "party_org", heyuan["community_id"]),
        ("committee", "committee", heyuan["id"]),
        ("company", "company", company),
    ]:
        admin.call("POST", "/api/v1/users", {"username": f"web-{name}", "display_name": name, "password": PASSWORD,
                                             "grants": [{"role": role, "scope_id": scope}]}, expect=201)
        users[name] = f"web-{name}"
    owners = admin.call("GET", f"/api/v1/estates/{heyuan['id']}/owners?limit=20", expect=200)["items"]
    party = Api(server.base).login("web-party", PASSWORD)
    now = admin.call("GET", "/api/v1/test-clock", expect=200)
    t0 = iso_to_epoch(now["now"])
    vote = party.call("POST", f"/api/v1/estates/{heyuan['id']}/votes", {
        "category": 2, "title": "修订《和园小区管理规约》", "question": "是否同意按公示稿修订管理规约？",
        "kind": "question", "convenor": "street_office",
        "opens_at": epoch_to_iso(t0 + 16 * DAY), "closes_at": epoch_to_iso(t0 + 18 * DAY)}, expect=201)
    advance(admin, 16 * DAY + 3600)
    # Tokens run on the server's clock, which just moved on: sign in again.
    admin = Api(server.base).login("admin", ADMIN_PASSWORD)
    party = Api(server.base).login("web-party", PASSWORD)
    party.call("POST", f"/api/v1/votes/{vote['id']}/opening", {}, expect=200)
    # A committee in preparation whose election is under joint review by the housing department.
    rules_path = f"/api/v1/orgs/{county_id}/committee-rules"
    rules = admin.call("GET", rules_path, expect=200)
    rules["required_departments"] = ["housing"]
    admin.call("PUT", rules_path, rules, expect=200)
    dept = admin.call("POST", "/api/v1/orgs", {"kind": "department", "name": "县住建局（审查）", "parent_id": county_id,
                                               "department_code": "housing"}, expect=201)
    admin.call("POST", "/api/v1/users", {"username": "web-dept", "display_name": "dept", "password": PASSWORD,
                                         "grants": [{"role": "department", "scope_id": dept["id"]}]}, expect=201)
    users["department"] = "web-dept"
    committee = admin.call("POST", f"/api/v1/estates/{heyuan['id']}/committees",
                           {"kind": "owners_committee", "term_years": 5}, expect=201)
    election = admin.call("POST", f"/api/v1/committees/{committee['id']}/elections", {"seats": 5}, expect=201)
    candidates = []
    for o in owners[10:15]:
        candidates.append(admin.call("POST", f"/api/v1/elections/{election['id']}/candidates",
                                     {"owner_id": o["id"], "nominated_by": "party_org", "supporter_owner_ids": []},
                                     expect=201))
    admin.call("POST", f"/api/v1/elections/{election['id']}/screening", {}, expect=200)
    return {"admin": admin, "estate": heyuan, "county": county_id, "owners": owners, "vote": vote, "users": users, "company": company,
            "election": election, "candidates": candidates}


def owner_account(srv, s, index, username):
    """An account for the demo estate's owner number `index`, opened with the community's
    code (the browser does this itself in the activation scenario): the owner."""
    owner = s["owners"][index]
    code = s["admin"].call("POST", f"/api/v1/owners/{owner['id']}/activation-codes", {}, expect=201)["code"]
    Api(srv.base).call("POST", "/api/v1/owners/activate", {"code": code, "username": username, "password": PASSWORD}, expect=201)
    return owner


def iso_to_epoch(s):
    from datetime import datetime
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def epoch_to_iso(t):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def advance(admin, seconds):
    admin.call("POST", "/api/v1/test-clock/advance", {"seconds": int(seconds)}, expect=200)


# ---------------------------------------------------------------- the browser


LOCALE = "zh-CN"  # the browser's language; the pages are Chinese in both zh-CN and en-US


def browser(size, lang=None):
    lang = lang or LOCALE
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", f"--lang={lang}", f"--window-size={size[0]},{size[1]}",
              f"--user-data-dir={tempfile.mkdtemp(prefix='redprop-chrome-')}"]:
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    d = webdriver.Chrome(service=service, options=opts)
    d.set_window_size(*size)
    # A phone's viewport is what its CSS sees: emulate it rather than trust the window size.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 500})
    d.viewport = size
    return d


def wait(d, css, timeout=15, text=None):
    def found(drv):
        try:
            for el in drv.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed() and (text is None or text in el.text):
                    return el
        except StaleElementReferenceException:
            pass  # the page re-rendered under us: look again
        return False
    try:
        return WebDriverWait(d, timeout).until(found)
    except Exception:
        raise AssertionError(f"{d.current_url}: no visible {css!r}{' with ' + repr(text) if text else ''}\n"
                             f"page text: {d.find_element(By.TAG_NAME, 'body').text[:800]}\n"
                             f"console: {console(d)}")


def tap(d, css, text=None, timeout=15):
    """Clicks the element when it shows (brought to the middle of the screen, as a thumb would,
    clear of the phone's bottom tab bar); again if the page re-rendered it under the click."""
    for attempt in range(3):
        try:
            return press(d, wait(d, css, timeout, text))
        except StaleElementReferenceException:
            if attempt == 2:
                raise


def press(d, el):
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()


def confirm(d, yes=None):
    """Answers the page's own confirmation dialog (an irreversible act) with its yes button,
    after checking that it says the act cannot be undone."""
    dialog = wait(d, "dialog.confirm")
    assert "不能撤销" in dialog.text, dialog.text
    if yes:
        assert yes in dialog.find_element(By.CSS_SELECTOR, ".confirm-yes").text
    dialog.find_element(By.CSS_SELECTOR, ".confirm-yes").click()
    WebDriverWait(d, 10).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, "dialog.confirm"))


def console(d):
    try:
        return [f"{e['level']} {e['message']}" for e in d.get_log("browser")]
    except Exception:
        return []


AXE = os.environ.get("REDPROP_AXE")
A11Y = {}  # page name -> violations (serious or critical), filled by `accessible`


def accessible(d, name):
    """axe-core's WCAG 2 A/AA rules on the page as it is: no serious or critical violation.
    (Injected by WebDriver, which the page's content security policy does not govern.)"""
    if not AXE:
        return
    d.execute_script(pathlib.Path(AXE).read_text(encoding="utf-8"))
    result = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
           .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                                       .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
           .catch(e => done([{ id: 'axe-error', impact: String(e), nodes: [] }]));""")
    assert not result, f"{name}: accessibility violations {result}"


RAW = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "a raw id"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "an ISO timestamp"),
    (re.compile(r"(?<![\w./:-])[a-z]+(?:_[a-z]+)+(?![\w./-])"), "an English enum value"),
]


def readable(d, name):
    """What a person reads has no raw id, no ISO timestamp and no English enum value (such as
    party_coverage or work_unit): every page names things in Chinese."""
    text = d.find_element(By.TAG_NAME, "body").text
    for pattern, what in RAW:
        m = pattern.search(text)
        assert not m, f"{name}: the page shows {what}: {m.group(0)!r} in …{text[max(0, m.start() - 60):m.end() + 60]}…"


def shot(d, backend, name):
    readable(d, name)
    folder = SHOTS / backend
    folder.mkdir(parents=True, exist_ok=True)
    w, h = d.viewport
    label = "phone" if w < 500 else "laptop"
    accessible(d, f"{name}-{label}")
    # Nothing may be wider than the screen (no sideways scrolling on a phone).
    wide = d.execute_script("return document.documentElement.scrollWidth")
    assert wide <= w, f"{name}: the page is {wide} px wide on a {w} px screen"
    # The whole page, not only the viewport.
    height = d.execute_script("return Math.max(document.body.scrollHeight, 600)")
    metrics = {"width": w, "height": min(height, 6000), "deviceScaleFactor": 1, "mobile": w < 500}
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    time.sleep(0.3)
    path = folder / f"{name}-{label}.png"
    path.write_bytes(d.get_screenshot_as_png())
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": h})
    return path


def login(d, base, username, password=PASSWORD):
    d.get(base + "/web/login")
    wait(d, "#username").send_keys(username)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(d, 15).until(lambda drv: "/web/login" not in drv.current_url)


def no_errors(d):
    """No script error and no policy violation on the page. A refused API call (a 401 while a
    session is renewed, a 404 the page expects) is the page's to handle, not an error here."""
    bad = [m for m in console(d)
           if ("SEVERE" in m and "Failed to load resource" not in m) or "Content Security Policy" in m or "Refused" in m]
    assert not bad, f"{d.current_url}: browser errors: {bad}"


# ---------------------------------------------------------------- scenarios


def owner_votes_on_a_phone(srv, s, backend):
    """An owner activates with the community's code, votes, changes the vote, and after the
    close finds the receipt in the result."""
    admin = s["admin"]
    owner = s["owners"][0]
    code = admin.call("POST", f"/api/v1/owners/{owner['id']}/activation-codes", {}, expect=201)["code"]
    d = browser(PHONE)
    try:
        d.get(srv.base + "/web/activate")
        wait(d, "#code").send_keys(code)
        d.find_element(By.ID, "username").send_keys("owner-web-1")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.ID, "password2").send_keys(PASSWORD)
        shot(d, backend, "activate")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        link = wait(d, "a[href^='/web/owner/votes/']", text="管理规约")
        # The demo's units have entrances the register names "1单元": written once.
        units = wait(d, "li", text="专有部分面积").text
        assert "单元" in units and "单元单元" not in units, units
        shot(d, backend, "owner-home")
        link.click()
        wait(d, "input[name=choice]")
        press(d, d.find_element(By.CSS_SELECTOR, "input[name=choice][value=yes]"))
        press(d, d.find_element(By.CSS_SELECTOR, ".ballot form button[type=submit]"))
        first = wait(d, ".receipt").get_attribute("data-receipt")
        shot(d, backend, "owner-vote")
        # Change the vote: the last ballot counts, with a new receipt.
        wait(d, ".ballot form button[type=submit]", text="更改")
        d.find_element(By.CSS_SELECTOR, "input[name=choice][value=no]").click()
        d.find_element(By.CSS_SELECTOR, ".ballot form button[type=submit]").click()
        WebDriverWait(d, 15).until(lambda drv: drv.find_element(By.CSS_SELECTOR, ".receipt").get_attribute("data-receipt") != first)
        second = d.find_element(By.CSS_SELECTOR, ".receipt").get_attribute("data-receipt")
        mine = s["admin"].call("GET", f"/api/v1/votes/{s['vote']['id']}/turnout", expect=200)
        assert mine["voted_heads"] >= 1, mine
        no_errors(d)
        # The close: two days later, the same tab, no new login (the refresh cookie renews it).
        advance(admin, 2 * DAY + 3600)
        d.refresh()
        wait(d, ".result")
        wait(d, ".alert.ok", text="已计入")
        assert d.find_element(By.CSS_SELECTOR, ".receipt").get_attribute("data-receipt") == second
        assert first != second
        shot(d, backend, "owner-result")
        # Logging out ends the session: a reload does not bring it back.
        d.find_element(By.XPATH, "//button[contains(., '退出登录')]").click()
        WebDriverWait(d, 10).until(lambda drv: "/web/login" in drv.current_url)
        d.get(srv.base + "/web/owner")
        WebDriverWait(d, 10).until(lambda drv: "/web/login" in drv.current_url)
        # The token never reached storage a script can read.
        stored = d.execute_script("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
        assert "ey" not in stored and "redprop_refresh" not in stored, stored
    finally:
        d.quit()


def convenor_enters_a_paper_ballot(srv, s, backend):
    """The convenor looks a voter up on the roll, enters their paper ballot, and the turnout
    chart moves."""
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(f"{srv.base}/web/console/votes/{s['vote']['id']}")
        chart = wait(d, "#turnout-chart canvas")
        before = json.loads(d.find_element(By.ID, "turnout-chart").get_attribute("data-series"))
        shot(d, backend, "console-vote")
        # A voter by the name on the paper ballot: an owner who has not voted online.
        owner = s["owners"][7]
        roll = s["admin"].call("GET", f"/api/v1/votes/{s['vote']['id']}/roll?limit=200", expect=200)["items"]
        voter = next(r for r in roll if owner["id"] in r["voter_key"])
        d.find_element(By.ID, "voter-q").send_keys(owner["name"])
        d.find_element(By.XPATH, "//button[contains(., '查找')]").click()
        WebDriverWait(d, 10).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, f"#voter_id option[value='{voter['voter_id']}']"))
        d.find_element(By.CSS_SELECTOR, f"#voter_id option[value='{voter['voter_id']}']").click()
        d.find_element(By.CSS_SELECTOR, "#paper-h ~ form input[name=choice][value=yes]").click()
        d.find_element(By.ID, "paper_no").send_keys("纸质-0001")
        d.find_element(By.XPATH, "//button[normalize-space()='录入']").click()
        wait(d, ".alert.ok", text="已录入纸质选票")
        WebDriverWait(d, 15).until(lambda drv: json.loads(drv.find_element(By.ID, "turnout-chart").get_attribute("data-series")) != before)
        after = json.loads(d.find_element(By.ID, "turnout-chart").get_attribute("data-series"))
        assert after[1]["value"] > before[1]["value"], (before, after)
        # The chart itself (not only our attribute) holds the new figures.
        drawn = d.execute_script("return echarts.getInstanceByDom(document.getElementById('turnout-chart')).getOption().series[0].data")
        assert drawn == [p["value"] for p in after], (drawn, after)
        shot(d, backend, "console-vote-after")
        no_errors(d)
    finally:
        d.quit()


def bureau_dashboard_draws_its_charts(srv, s, backend):
    for size in (LAPTOP, PHONE):
        d = browser(size)
        try:
            login(d, srv.base, s["users"]["bureau"])
            d.get(srv.base + "/web/dashboard")
            # The demo county has no committees yet: that chart is drawn, with zeros.
            for chart in ["chart-management", "chart-kind", "chart-party"]:
                wait(d, f"#{chart} canvas")
                series = d.execute_script(
                    "const c = echarts.getInstanceByDom(document.getElementById(arguments[0]));"
                    "return c ? c.getOption().series[0].data : null", chart)
                assert series, f"{chart}: no chart instance"
                values = [x["value"] if isinstance(x, dict) else x for x in series]
                assert sum(values) > 0, f"{chart}: no data {series}"
            # The demo county: 3 estate kinds all present.
            kinds = json.loads(d.find_element(By.ID, "chart-kind").get_attribute("data-series"))
            assert all(k["value"] > 0 for k in kinds), kinds
            shot(d, backend, "dashboard")
            no_errors(d)
        finally:
            d.quit()


# Standing alone: a run of digits inside a hex fingerprint is not a phone number.
PHONE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def public_page_has_no_personal_data(srv, s, backend):
    """No owner's id, phone or ID number on the public page, and no owner's name but those the
    law publishes (committee rosters, published candidate lists)."""
    estate = s["estate"]
    board = Api(srv.base).call("GET", f"/api/v1/estates/{estate['id']}/notice-board", expect=200)
    published = {m["name"] for c in board["committees"] for m in c["members"]}
    published |= {c["name"] for l in board["candidate_lists"] for c in l["candidates"]}
    for size in (PHONE, LAPTOP):
        d = browser(size)
        try:
            d.get(f"{srv.base}/web/estates/{estate['id']}")
            wait(d, "h1", text="公示栏")
            wait(d, "#votes-h")
            text = d.find_element(By.TAG_NAME, "body").text
            source = d.page_source
            assert "管理规约" in text, text[:500]
            assert not PHONE_RE.search(text) and not ID_RE.search(text), "a phone or ID number on the public page"
            for o in s["owners"]:
                if o["name"] not in published:
                    assert o["name"] not in text, f"owner name {o['name']} on the public page"
                assert o["id"] not in source, "an owner id in the public page"
            shot(d, backend, "public-estate")
            no_errors(d)
        finally:
            d.quit()
    # The document behind it, as any anonymous client gets it.
    flat = json.dumps(board, ensure_ascii=False)
    for o in s["owners"]:
        assert o["id"] not in flat
        assert o["name"] in published or o["name"] not in flat


def keyboard_only_sign_in(srv, s, backend):
    """The first Tab reaches the skip link; a person signs in and lands on their page with the
    keyboard alone."""
    from selenium.webdriver.common.keys import Keys
    d = browser(LAPTOP)
    try:
        d.get(srv.base + "/web/login")
        wait(d, "#username")
        d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        assert d.switch_to.active_element.text == "跳到正文", d.switch_to.active_element.text
        d.switch_to.active_element.send_keys(Keys.ENTER)
        for _ in range(6):
            if d.switch_to.active_element.get_attribute("id") == "username":
                break
            d.switch_to.active_element.send_keys(Keys.TAB)
        assert d.switch_to.active_element.get_attribute("id") == "username"
        d.switch_to.active_element.send_keys(s["users"]["bureau"], Keys.TAB, PASSWORD, Keys.ENTER)
        WebDriverWait(d, 10).until(lambda drv: "/web/dashboard" in drv.current_url)
        no_errors(d)
    finally:
        d.quit()


def csp_blocks_an_injected_inline_script(srv, s, backend):
    d = browser(LAPTOP)
    try:
        d.get(srv.base + "/web/login")
        wait(d, "#username")
        shot(d, backend, "login")
        ran = d.execute_script("""
            window.__violations = [];
            document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
            const s = document.createElement('script');
            s.textContent = 'window.__injected = true';
            document.body.appendChild(s);
            const img = document.createElement('img');
            img.setAttribute('src', 'x');
            img.setAttribute('onerror', 'window.__injected2 = true');
            document.body.appendChild(img);
            return true;""")
        time.sleep(0.5)
        assert ran
        assert d.execute_script("return window.__injected === undefined && window.__injected2 === undefined")
        violations = d.execute_script("return window.__violations")
        assert any(v.startswith("script-src") for v in violations), violations
    finally:
        d.quit()


def department_rejects_a_candidate(srv, s, backend):
    """The housing department opens its queue, passes one candidate and rejects another with
    the reason; the election records both."""
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["department"])
        WebDriverWait(d, 10).until(lambda drv: "/web/reviews" in drv.current_url)
        rejected, passed = s["candidates"][0], s["candidates"][1]
        box = wait(d, f"[data-candidate='{rejected['id']}'] textarea")
        shot(d, backend, "reviews")
        box.send_keys("该候选人存在拖欠物业费记录，不符合条件。")
        d.find_element(By.CSS_SELECTOR, f"[data-candidate='{rejected['id']}'] button.secondary").click()
        wait(d, f"[data-candidate='{rejected['id']}'] strong", text="不通过")
        d.find_element(By.CSS_SELECTOR, f"[data-candidate='{passed['id']}'] textarea").send_keys("无负面记录。")
        d.find_element(By.XPATH, f"//*[@data-candidate='{passed['id']}']//button[normalize-space()='通过']").click()
        wait(d, f"[data-candidate='{passed['id']}'] strong", text="通过")
        election = s["admin"].call("GET", f"/api/v1/elections/{s['election']['id']}", expect=200)
        reviews = {c["id"]: c["reviews"] for c in election["candidates"]}
        assert [r["passed"] for r in reviews[rejected["id"]]] == [False], reviews[rejected["id"]]
        assert "拖欠物业费" in reviews[rejected["id"]][0]["reason"]
        assert [r["passed"] for r in reviews[passed["id"]]] == [True]
        shot(d, backend, "reviews-after")
        no_errors(d)
    finally:
        d.quit()


def minutes_confirmed_by_every_party(srv, s, backend):
    """The community convenes a joint meeting; the convenor records attendance, drafts the
    minutes with a decision and sends them; the committee and the company each confirm; the
    convenor confirms for the community and publishes; the public page shows the decision."""
    admin, estate = s["admin"], s["estate"]
    party = Api(srv.base).login(s["users"]["party"], PASSWORD)
    company = s["company"]
    committee = admin.call("GET", f"/api/v1/estates/{estate['id']}/committees", expect=200)["items"][0]
    now = iso_to_epoch(admin.call("GET", "/api/v1/test-clock", expect=200)["now"])
    meeting = party.call("POST", "/api/v1/meetings", {
        "kind": "joint_monthly", "convenor_org_id": estate["community_id"], "estate_id": estate["id"],
        "title": "十二月联席会议", "starts_at": epoch_to_iso(now - 1800), "place": "社区党群服务中心",
        "parties": [{"kind": "party_org", "party_id": estate["community_id"]},
                    {"kind": "committee", "party_id": committee["id"]},
                    {"kind": "company", "party_id": company}],
        "agenda": [{"title": "电梯维修"}, {"title": "停车秩序"}]}, expect=201)
    page = f"{srv.base}/web/meetings/{meeting['id']}"
    s["meeting"] = meeting["id"]
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(page)
        for p in meeting["parties"]:
            tap(d, f"#att-{p['id']} option[value=present]")
        d.find_element(By.XPATH, "//button[normalize-space()='保存出席情况']").click()
        wait(d, "#disc-1")
        time.sleep(0.5)
        d.find_element(By.ID, "disc-1").send_keys("物业企业说明电梯维保情况。")
        d.find_element(By.ID, "dec-0").send_keys("物业企业两周内完成1号楼电梯维修")
        company_party = next(p for p in meeting["parties"] if p["kind"] == "company")
        d.find_element(By.CSS_SELECTOR, f"#who-0 option[value='{company_party['id']}']").click()
        due = d.find_element(By.ID, "due-0")
        d.execute_script("arguments[0].value = arguments[1]", due, epoch_to_iso(now + 14 * DAY)[:10])
        d.find_element(By.XPATH, "//button[normalize-space()='保存草稿']").click()
        wait(d, ".minutes[data-status=draft]")
        shot(d, backend, "meeting-draft")
        d.find_element(By.XPATH, "//button[normalize-space()='送各方确认']").click()
        wait(d, ".minutes[data-status=confirming]")
        no_errors(d)
    finally:
        d.quit()
    for who in [s["users"]["committee"], s["users"]["company"], s["users"]["party"]]:
        d = browser(PHONE if who != s["users"]["party"] else LAPTOP)
        try:
            login(d, srv.base, who)
            d.get(page)
            tap(d, "button[data-confirm]")
            WebDriverWait(d, 10).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, "button[data-confirm]"))
            if who == s["users"]["party"]:
                tap(d, "button", text="发布纪要")
                confirm(d, "发布")
                wait(d, ".minutes[data-status=published]")
                shot(d, backend, "meeting-published")
            no_errors(d)
        finally:
            d.quit()
    board = Api(srv.base).call("GET", f"/api/v1/estates/{estate['id']}/notice-board", expect=200)
    assert any("电梯维修" in dec["text"] for m in board["minutes"] for dec in m["content"]["decisions"]), board["minutes"]
    d = browser(PHONE)
    try:
        d.get(f"{srv.base}/web/estates/{estate['id']}")
        wait(d, "#minutes-h ~ article", text="两周内完成")
    finally:
        d.quit()


def owner_reports_and_confirms(srv, s, backend):
    """An owner reports a problem with a photo on the phone; the community dispatches it to the
    company; the company accepts it and reports it done; the owner confirms and rates it."""
    admin, estate = s["admin"], s["estate"]
    owner_account(srv, s, 4, "owner-web-2")
    photo = pathlib.Path(tempfile.mkdtemp()) / "elevator.png"
    photo.write_bytes(PNG)
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-2")
        tap(d, "a[href='/web/owner/report']")
        wait(d, "#title").send_keys("2号楼电梯异响")
        d.find_element(By.CSS_SELECTOR, "#category option[value=elevator]").click()
        d.find_element(By.ID, "description").send_keys("2号楼1单元电梯运行时有异响，已持续三天。")
        d.find_element(By.ID, "photos").send_keys(str(photo))
        shot(d, backend, "owner-report")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait(d, ".badge[data-status=reported]")
        wait(d, "img.photo")
        item_id = d.current_url.rsplit("/", 1)[1]
        s["ledger_item"] = item_id
        no_errors(d)
    finally:
        d.quit()
    # The community dispatches it; the company takes it and reports it done.
    for who, steps in [(s["users"]["party"], ["dispatch"]), (s["users"]["company"], ["accept", "done"])]:
        d = browser(LAPTOP)
        try:
            login(d, srv.base, who)
            d.get(f"{srv.base}/web/ledger/{item_id}")
            for step in steps:
                if step == "dispatch":
                    # The taker is chosen by name, among the companies under contract.
                    tap(d, "#kind option[value=company]")
                    wait(d, "#assignee option", text="物业")
                    d.find_element(By.XPATH, "//button[normalize-space()='派单']").click()
                    wait(d, ".badge[data-status=dispatched]")
                    wait(d, "ol.steps", text="派给：物业企业")
                elif step == "accept":
                    tap(d, "button", text="接单")
                    wait(d, ".badge[data-status=in_progress]")
                else:
                    wait(d, "#note").send_keys("已更换电梯导靴，运行正常。")
                    d.find_element(By.ID, "files").send_keys(str(photo))
                    d.find_element(By.XPATH, "//button[normalize-space()='办结']").click()
                    wait(d, ".badge[data-status=resolved]")
            if who == s["users"]["company"]:
                d.get(f"{srv.base}/web/company")
                wait(d, "#items-h")
                shot(d, backend, "company")
            no_errors(d)
        finally:
            d.quit()
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-2")
        d.get(f"{srv.base}/web/ledger/{item_id}")
        tap(d, "input[name=rating][value='4']")
        d.find_element(By.XPATH, "//button[normalize-space()='确认']").click()
        wait(d, ".badge[data-status=confirmed]")
        shot(d, backend, "owner-ledger-item")
        no_errors(d)
    finally:
        d.quit()
    item = admin.call("GET", f"/api/v1/ledger-items/{item_id}", expect=200)["item"]
    assert item["status"] == "confirmed" and item["rating"] == 4, item


def organiser_publishes_and_an_owner_objects(srv, s, backend):
    """After the departments' reviews the community publishes the qualified list from the
    election page; an owner objects to a candidate on the phone, signed; the community answers."""
    dept = Api(srv.base).login(s["users"]["department"], PASSWORD)
    election = s["admin"].call("GET", f"/api/v1/elections/{s['election']['id']}", expect=200)
    for c in election["candidates"]:
        if not c["reviews"]:
            dept.call("POST", f"/api/v1/candidates/{c['id']}/reviews", {"passed": True, "reason": "无负面记录"}, expect=201)
    page = f"{srv.base}/web/elections/{s['election']['id']}"
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(page)
        tap(d, "button", text="公示合格名单")
        confirm(d, "公示")
        wait(d, "h1 .badge", text="公示中")
        shot(d, backend, "election")
        no_errors(d)
    finally:
        d.quit()
    owner = owner_account(srv, s, 8, "owner-web-4")
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-4")
        tap(d, "#pub-h ~ div button.link", text="提出异议")
        wait(d, "textarea[name=statement]").send_keys("该候选人长期出租房屋、不在本小区居住。")
        d.find_element(By.CSS_SELECTOR, "input[name=signature]").send_keys(owner["name"])
        d.find_element(By.XPATH, "//button[normalize-space()='提交异议']").click()
        wait(d, ".alert.ok", text="异议已提交")
        shot(d, backend, "owner-objection")
        no_errors(d)
    finally:
        d.quit()
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(page)
        wait(d, ".objection textarea").send_keys("经核实，该候选人在本小区居住，异议不成立。")
        tap(d, ".objection button", text="答复")
        wait(d, ".objection", text="答复（不成立）")
        no_errors(d)
    finally:
        d.quit()


def bureau_registry_and_import(srv, s, backend):
    """The bureau finds an estate in the registry, reads its units, and imports a spreadsheet
    with mistakes: nothing is imported and every bad row is listed."""
    bad = pathlib.Path(tempfile.mkdtemp()) / "units.csv"
    bad.write_text("楼栋,房号,建筑面积,面积来源,业主姓名,身份证号,销售状态\n"
                   "9号楼,101,abc,实测,王五,140425198301063491,已交付\n"
                   "9号楼,102,90,实测,赵六,123,已交付\n", encoding="utf-8-sig")
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["bureau"])
        d.get(srv.base + "/web/registry")
        wait(d, "ul.tree li")
        wait(d, "#q").send_keys("和园")
        WebDriverWait(d, 10).until(lambda drv: len(drv.find_elements(By.CSS_SELECTOR, "#est-h ~ .table-wrap tbody tr")) == 1)
        shot(d, backend, "registry")
        d.find_element(By.LINK_TEXT, "和园小区").click()
        tap(d, "#b-h ~ .actions button")
        wait(d, "#b-h ~ .table-wrap tbody tr")
        d.find_element(By.ID, "imp-file").send_keys(str(bad))
        d.find_element(By.XPATH, "//button[normalize-space()='导入']").click()
        rows = wait(d, ".import-errors tbody tr")
        listed = d.find_elements(By.CSS_SELECTOR, ".import-errors tbody tr")
        assert len(listed) >= 2, [r.text for r in listed]
        assert {"2", "3"} <= {r.find_elements(By.TAG_NAME, "td")[0].text for r in listed}, [r.text for r in listed]
        shot(d, backend, "registry-estate")
        no_errors(d)
    finally:
        d.quit()


def bureau_runs_a_rating(srv, s, backend):
    """The bureau creates a campaign from the default catalogue and opens the owners' survey;
    an owner answers it on the phone; the bureau closes, scores and publishes: the results
    table shows the company with its stars."""
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["bureau"])
        d.get(srv.base + "/web/ratings")
        wait(d, "#c-name").send_keys("2026年度五好红色物业评定")
        for field, value in [("c-from", "2026-01-01"), ("c-until", "2026-12-31")]:
            d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, field), value)
        d.find_element(By.XPATH, "//button[normalize-space()='新建']").click()
        tap(d, "#camp-h ~ ul button", text="2026年度")
        # The county sets its own notice period before the survey opens.
        tap(d, "details.config summary")
        days = wait(d, "#notice_days")
        days.clear()
        days.send_keys("10")
        tap(d, "button", text="保存配置")
        wait(d, "details.config .alert.ok")
        tap(d, "button", text="开始业主调查")
        confirm(d, "开始")
        wait(d, "#one-h .badge", text="调查中")
        no_errors(d)
    finally:
        d.quit()
    owner_account(srv, s, 6, "owner-web-3")
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-3")
        tap(d, "#survey-h ~ ul a")
        wait(d, "fieldset input[type=radio]")
        for group in d.find_elements(By.CSS_SELECTOR, "fieldset"):
            radios = group.find_elements(By.CSS_SELECTOR, "input[type=radio][value='4']")
            if radios:
                radios[0].click()
        shot(d, backend, "owner-survey")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait(d, ".alert.ok", text="感谢")
        no_errors(d)
    finally:
        d.quit()
    # Community staff enter an older owner's paper questionnaire on the estate's console.
    paper_owner = s["owners"][7]
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(f"{srv.base}/web/console/estates/{s['estate']['id']}")
        wait(d, "#pq-q").send_keys(paper_owner["name"])
        tap(d, "button", text="查找")
        wait(d, "#pq-owner option", text=paper_owner["name"])
        for group in d.find_elements(By.CSS_SELECTOR, "fieldset"):
            radios = group.find_elements(By.CSS_SELECTOR, "input[type=radio][name^=pq-][value='3']")
            if radios:
                radios[0].click()
        d.find_element(By.ID, "pq-ref").send_keys("纸质问卷 001")
        tap(d, "button", text="录入问卷")
        wait(d, ".alert.ok", text="纸质问卷已录入")
        shot(d, backend, "paper-questionnaire")
        no_errors(d)
    finally:
        d.quit()
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["bureau"])
        d.get(srv.base + "/web/ratings")
        tap(d, "#camp-h ~ ul button", text="2026年度")
        # The checklist shows each estate's survey against the least sample before closing.
        wait(d, ".progress tbody tr", text="和园小区")
        shot(d, backend, "ratings-progress")
        tap(d, "button", text="结束调查")
        confirm(d, "结束调查")
        wait(d, "#one-h .badge", text="评分中")
        tap(d, "button", text="计算评分")
        confirm(d, "计算")
        tap(d, "button", text="公布结果")
        dialog = wait(d, "dialog.confirm")
        # Inputs are missing (no evaluation, no inspection): the dialog says so before publishing.
        assert "输入不全" in dialog.text, dialog.text
        confirm(d, "公布")
        wait(d, "#one-h .badge", text="已公布")
        campaigns = s["admin"].call("GET", f"/api/v1/orgs/{s['county']}/rating-campaigns", expect=200)["items"]
        assert campaigns[0]["config"]["notice_days"] == 10, campaigns[0]["config"]["notice_days"]
        row = wait(d, "#one-h ~ .table-wrap tbody tr")
        assert "★" in row.text or "无星级" in row.text, row.text
        shot(d, backend, "ratings")
        no_errors(d)
    finally:
        d.quit()


def community_prints_activation_slips(srv, s, backend):
    """The community issues activation codes for one building of the estate and prints them as
    slips with a QR code; revokes one from the list; an owner opens the account from a slip's
    link on the phone, the code filled in."""
    estate = s["estate"]
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(f"{srv.base}/web/console/estates/{estate['id']}")
        tap(d, "a", text="业主激活码")
        building = wait(d, "#scope_building option:nth-child(2)")
        building.click()
        tap(d, "button", text="生成并打印开通单")
        confirm(d, "生成")
        wait(d, ".slip", timeout=30)
        wait(d, ".slip img.qr")
        # A slip of an owner the other scenarios leave alone (they use the first 20 by id).
        used = {o["id"] for o in s["owners"]}
        slip = next(x for x in reversed(d.find_elements(By.CSS_SELECTOR, ".slip")) if x.get_attribute("data-owner") not in used)
        assert "有效期至" in slip.text and "14 天" in slip.text, slip.text
        code = slip.find_element(By.CSS_SELECTOR, ".code").text.replace(" ", "")
        assert len(code) == 10, code
        owner_id = slip.get_attribute("data-owner")
        shot(d, backend, "activation-slips")
        # The list names each unit's owner and code state; revoke one outstanding code.
        rows = [r for r in d.find_elements(By.XPATH, "//tr[.//button[normalize-space()='作废']]")
                if r.get_attribute("data-owner") != owner_id]
        assert len(rows) >= 2, len(rows)
        victim = rows[-1]
        victim_owner = victim.find_elements(By.TAG_NAME, "td")[1].text
        victim.find_element(By.XPATH, ".//button[normalize-space()='作废']").click()
        confirm(d, "作废")
        wait(d, "tr", text="已作废")
        assert victim_owner
        no_errors(d)
    finally:
        d.quit()
    d = browser(PHONE)
    try:
        d.get(f"{srv.base}/web/activate#code={code}")
        assert wait(d, "#code").get_attribute("value") == code
        assert "14 天" in d.find_element(By.TAG_NAME, "main").text
        d.find_element(By.ID, "username").send_keys("owner-slip-1")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.ID, "password2").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait(d, "nav.tabbar a", text="报事")
        shot(d, backend, "owner-home-tabbar")
        no_errors(d)
    finally:
        d.quit()
    me = Api(srv.base).login("owner-slip-1", PASSWORD).call("GET", "/api/v1/auth/me", expect=200)
    assert any(r.endswith(owner_id) for r in me.get("roles", [])) or owner_id in json.dumps(me), me


def action_item_done_and_reviewed(srv, s, backend):
    """The company finds the action item decided at the meeting on its own page, reports it done
    with evidence; the community reviews it on the estate's board and accepts it."""
    photo = pathlib.Path(tempfile.mkdtemp()) / "lift.png"
    photo.write_bytes(PNG)
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["company"])
        d.get(f"{srv.base}/web/company")
        row = wait(d, ".action-board tbody tr", text="电梯维修")
        row.find_element(By.XPATH, ".//button[contains(., '办理')]").click()
        wait(d, ".action-board textarea[name=note]").send_keys("已更换1号楼电梯曳引机，验收合格。")
        d.find_element(By.CSS_SELECTOR, ".action-board input[type=file]").send_keys(str(photo))
        wait(d, ".action-board .thumb img")
        tap(d, ".action-board button[type=submit]", text="报告完成")
        confirm(d, "报告完成")
        wait(d, ".action-board .alert.ok", text="等待验收")
        wait(d, ".action-board tbody tr", text="待验收")
        shot(d, backend, "company-actions")
        no_errors(d)
    finally:
        d.quit()
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(f"{srv.base}/web/console/estates/{s['estate']['id']}")
        board = wait(d, ".action-board")
        d.find_element(By.CSS_SELECTOR, "#ab-status option[value=reported]").click()
        row = wait(d, ".action-board tbody tr", text="电梯维修")
        row.find_element(By.XPATH, ".//button[contains(., '办理')]").click()
        wait(d, ".action-board ol.steps img.photo")
        tap(d, ".action-board button", text="验收通过")
        confirm(d, "验收通过")
        wait(d, ".action-board .alert.ok", text="验收通过")
        shot(d, backend, "console-actions")
        no_errors(d)
    finally:
        d.quit()


def company_manages_webhooks(srv, s, backend):
    """The company registers a receiving address for chosen events, keeps the secret shown once,
    sends a test event and sees it among the deliveries."""
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["company"])
        d.get(f"{srv.base}/web/company")
        tap(d, "a", text="事件推送")
        wait(d, "#wh-url").send_keys("https://receiver.example.com/redprop")
        for t in ["ledger_item.dispatched", "meeting.invitation"]:
            d.find_element(By.CSS_SELECTOR, f"input[name=events][value='{t}']").click()
        d.find_element(By.ID, "wh-desc").send_keys("工单系统")
        tap(d, "button[type=submit]", text="登记")
        wait(d, ".alert.ok", text="只显示这一次")
        row = wait(d, "tr[data-hook]")
        assert "问题派单" in row.text, row.text
        tap(d, "tr[data-hook] button", text="发送测试")
        wait(d, "tr[data-hook] .alert.ok", text="测试事件")
        tap(d, "tr[data-hook] button", text="推送记录")
        wait(d, "#deliveries-h ~ * tbody tr, #deliveries-h ~ .table-wrap tbody tr", text="测试事件")
        shot(d, backend, "webhooks")
        no_errors(d)
    finally:
        d.quit()


def company_publishes_accounts_and_an_owner_asks(srv, s, backend):
    """The company publishes last quarter's statement of common income (its entries posted by
    its accounting system); an owner reads it on a phone with its lines and asks a question; the
    company answers on its laptop, and the owner reads the answer."""
    estate = s["estate"]["id"]
    company = Api(srv.base).login(s["users"]["company"], PASSWORD)
    now = s["admin"].call("GET", "/api/v1/test-clock", expect=200)["now"][:10]
    y, m = int(now[:4]), int(now[5:7])
    q = (m - 1) // 3 - 1
    if q < 0:
        q, y = 3, y - 1
    first = f"{y}-{q * 3 + 1:02d}-01"
    for fen, party in [(120000, "地面停车"), (35050, "电梯广告")]:
        company.call("POST", f"/api/v1/estates/{estate}/money-entries", {
            "kind": "income", "category": "parking" if fen == 120000 else "advertising", "amount_fen": fen,
            "occurred_on": first, "counterparty": party, "description": f"{party}收入"}, expect=201)
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["company"])
        d.get(f"{srv.base}/web/company")
        tap(d, "a[href^='/web/accounts/']")
        wait(d, "#pub-open").send_keys("0")
        d.find_element(By.ID, "pub-close").send_keys("1,550.50")
        tap(d, "#pub-h ~ form button[type=submit]")
        wait(d, "#pub-h ~ form .alert.ok", text="已公示")
        wait(d, "li[data-statement]", text="1,550.50")
        shot(d, backend, "company-accounts")
        no_errors(d)
    finally:
        d.quit()
    owner_account(srv, s, 16, "owner-web-accounts")
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-accounts")
        tap(d, "a[href^='/web/accounts/']")
        tap(d, "li[data-statement] button")
        wait(d, "[data-statement-view] tbody tr", text="电梯广告")
        wait(d, "#ask-q").send_keys("停车收入为何比上季度少？")
        tap(d, "[data-statement-view] form button[type=submit]", text="提交询问")
        wait(d, "[data-statement-view] .alert.ok", text="询问已提交")
        shot(d, backend, "owner-accounts")
        no_errors(d)
    finally:
        d.quit()
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["company"])
        d.get(f"{srv.base}/web/accounts/{estate}")
        tap(d, "li[data-statement] button")
        wait(d, "[data-statement-view] textarea[id^=ans-]").send_keys("本季度部分车位空置，已在明细中列明。")
        tap(d, "[data-statement-view] form button[type=submit]", text="提交答复")
        wait(d, "[data-statement-view] li", text="答：")
        no_errors(d)
    finally:
        d.quit()


def owner_reads_notices_and_the_community_proves_them(srv, s, backend):
    """An owner sees the badge of unread notices in the phone's tab bar, reads the vote's
    announcement, opts out of other texts and marks everything read; the community, on its
    laptop, opens the announcement's proof owner by owner from the vote and records the paper
    notice posted in the lobby with its photo."""
    owner_account(srv, s, 18, "owner-web-notices")
    photo = pathlib.Path(tempfile.mkdtemp()) / "notice.png"
    photo.write_bytes(PNG)
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-notices")
        wait(d, "nav.tabbar .count")
        tap(d, "nav.tabbar a[href='/web/notices']")
        wait(d, "li[data-notice]", text="表决公告")
        tap(d, "#sms-out")
        wait(d, "#sms-h ~ .alert.ok, #sms-h ~ * .alert.ok, .alert.ok", text="已退订")
        shot(d, backend, "owner-notices")
        tap(d, "button", text="全部标为已读")
        WebDriverWait(d, 15).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, "nav.tabbar .count"))
        no_errors(d)
    finally:
        d.quit()
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(f"{srv.base}/web/console/votes/{s['vote']['id']}")
        wait(d, "[data-notice-totals]", text="户业主")
        tap(d, "[data-notice-totals] a")
        wait(d, "table[data-proof] tbody tr")
        wait(d, "#paper-place").send_keys("1号楼大堂公告栏")
        d.find_element(By.ID, "paper-photos").send_keys(str(photo))
        wait(d, "img.photo")
        tap(d, "#paper-h ~ form button[type=submit]")
        wait(d, "#paper-h ~ ul li", text="1号楼大堂公告栏")
        shot(d, backend, "notice-proof")
        no_errors(d)
    finally:
        d.quit()


def english_browser_reads_chinese(srv, s, backend):
    """A browser set to English (en-US) still reads every page in Chinese: field errors from the
    API, statuses and dates."""
    d = browser(PHONE, "en-US")
    try:
        lang = d.execute_script("return navigator.language")
        assert lang.startswith("en"), lang
        d.get(srv.base + "/web/activate")
        wait(d, "#code").send_keys("ABCDEFGHJK")
        d.find_element(By.ID, "username").send_keys("english-owner")
        d.find_element(By.ID, "password").send_keys("short")
        d.find_element(By.ID, "password2").send_keys("short")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        alert = wait(d, ".alert.error")
        assert re.search(r"[\u4e00-\u9fff]", alert.text) and not re.search(r"[A-Za-z]{4,}", alert.text), alert.text
        shot(d, backend, "en-activate-error")
    finally:
        d.quit()
    d = browser(LAPTOP, "en-US")
    try:
        login(d, srv.base, s["users"]["bureau"])
        for path in ["/web/dashboard", "/web/ratings", f"/web/registry/estates/{s['estate']['id']}"]:
            d.get(srv.base + path)
            wait(d, "main h1")
            WebDriverWait(d, 15).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, "main [role=status]:not(.alert)"))
            time.sleep(0.4)
            shot(d, backend, "en" + re.sub(r"[^a-z]+", "-", re.sub(r"/[0-9a-f-]{20,}", "", path)))
        no_errors(d)
    finally:
        d.quit()


def party_member_reports_in_and_signs_up(srv, s, backend):
    """A resident party member, on a phone, reports in to the community with their own party
    organisation and skills and signs up for the community's activity; the community, on its
    laptop, places them in an estate party branch and sees the figures."""
    owner = owner_account(srv, s, 19, "owner-web-service")
    admin = Api(srv.base).login("admin", ADMIN_PASSWORD)
    party = Api(srv.base).login(s["users"]["party"], PASSWORD)
    community = s["estate"]["community_id"]
    admin.call("POST", "/api/v1/orgs", {"kind": "grid_party_branch", "name": "和园小区党支部", "parent_id": community}, expect=201)
    now = iso_to_epoch(admin.call("GET", "/api/v1/test-clock", expect=200)["now"])
    party.call("POST", f"/api/v1/communities/{community}/activities", {
        "title": "义诊进小区", "description": "测血压、测血糖", "place": "和园小区党群服务站",
        "starts_at": epoch_to_iso(now + 2 * DAY), "ends_at": epoch_to_iso(now + 2 * DAY + 7200), "cap": 30}, expect=201)
    d = browser(PHONE)
    try:
        login(d, srv.base, "owner-web-service")
        tap(d, "a[href='/web/service']")
        wait(d, "#org").send_keys("县财政局机关党支部")
        d.find_element(By.ID, "skills").send_keys("水电维修，法律咨询")
        d.find_element(By.ID, "avail").send_keys("周末上午")
        tap(d, "#mine-h ~ form button[type=submit]")
        wait(d, "#mine-h ~ ul li", text="待社区安排")
        tap(d, "#acts-h ~ ul button", text="报名")
        wait(d, "#acts-h ~ ul li", text="已报名")
        shot(d, backend, "owner-service")
        no_errors(d)
    finally:
        d.quit()
    d = browser(LAPTOP)
    try:
        login(d, srv.base, s["users"]["party"])
        d.get(f"{srv.base}/web/service")
        row = wait(d, "table tbody tr", text=owner["name"])
        Select(row.find_element(By.CSS_SELECTOR, "select")).select_by_visible_text("和园小区党支部")
        tap(d, "table tbody tr button", text="安排")
        wait(d, "table tbody tr", text="已安排")
        wait(d, "dl.figures", text="报到党员")
        shot(d, backend, "community-service")
        no_errors(d)
    finally:
        d.quit()


def every_page_on_both_viewports(srv, s, backend):
    """Each page, as the person it is for, on a phone and on a laptop, in a Chinese and an English
    browser: a screenshot of each, axe-core's accessibility rules on each, nothing wider than the
    screen, and no raw id, ISO timestamp or English enum value on any."""
    estate, vote = s["estate"]["id"], s["vote"]["id"]
    # A fresh session (the seed's administrator token has expired by now).
    party = Api(srv.base).login(s["users"]["party"], PASSWORD)
    proof = party.call("GET", f"/api/v1/votes/{vote}", expect=200)["notice"]["notice_id"]
    now = iso_to_epoch(party.call("GET", "/api/v1/test-clock", expect=200)["now"])
    activity = party.call("POST", f"/api/v1/communities/{s['estate']['community_id']}/activities", {
        "title": "邻里议事会", "description": "", "place": "社区会议室", "starts_at": epoch_to_iso(now + 3 * DAY),
        "ends_at": epoch_to_iso(now + 3 * DAY + 3600), "cap": 20}, expect=201)["id"]
    bureau = Api(srv.base).login(s["users"]["bureau"], PASSWORD)
    selection = bureau.call("POST", f"/api/v1/orgs/{s['county']}/selections", {
        "kind": "best_service_worker", "title": "年度最美物业人", "description": "", "year": 2026}, expect=201)["id"]
    pages = [
        (None, ["/web/login", "/web/activate", f"/web/estates/{estate}"]),
        ("owner-web-2", ["/web/owner", f"/web/owner/votes/{vote}", "/web/owner/report", f"/web/ledger/{s['ledger_item']}",
                         f"/web/accounts/{estate}", "/web/notices", "/web/service", f"/web/activities/{activity}"]),
        (s["users"]["party"], ["/web/service", f"/web/activities/{activity}", f"/web/selections/{selection}"]),
        (s["users"]["party"], ["/web/console", f"/web/console/estates/{estate}", f"/web/console/votes/{vote}", "/web/notices",
                               f"/web/meetings/{s['meeting']}", f"/web/elections/{s['election']['id']}"]),
        (s["users"]["department"], ["/web/reviews"]),
        (s["users"]["bureau"], ["/web/dashboard", "/web/registry", f"/web/registry/estates/{estate}", "/web/ratings", "/web/webhooks",
                                "/web/accounts", f"/web/accounts/{estate}", "/web/notices", "/web/service",
                                f"/web/selections/{selection}"]),
        (s["users"]["company"], ["/web/company", "/web/webhooks", f"/web/accounts/{estate}"]),
        (s["users"]["party"], [f"/web/console/estates/{estate}/activation", f"/web/notices/{proof}/proof"]),
    ]
    # Every page in a Chinese browser and in an English one: the pages are Chinese in both.
    for lang, size in [("zh-CN", PHONE), ("zh-CN", LAPTOP), ("en-US", PHONE), ("en-US", LAPTOP)]:
        for who, paths in pages:
            d = browser(size, lang)
            try:
                if who:
                    login(d, srv.base, who)
                for path in paths:
                    d.get(srv.base + path)
                    wait(d, "main h1")
                    WebDriverWait(d, 15).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, "main [role=status]:not(.alert)"))
                    time.sleep(0.4)  # charts draw after their data
                    slug = re.sub(r"[^a-z]+", "-", re.sub(r"/[0-9a-f-]{20,}", "", path)).strip("-") or "home"
                    shot(d, backend, f"{'all' if lang == 'zh-CN' else 'en'}-{slug}")
                no_errors(d)
            finally:
                d.quit()


# A tiny valid PNG (1×1, red).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db40000000049454e44ae426082")


SCENARIOS = [
    bureau_registry_and_import,
    bureau_runs_a_rating,
    owner_reports_and_confirms,
    minutes_confirmed_by_every_party,
    action_item_done_and_reviewed,
    community_prints_activation_slips,
    company_manages_webhooks,
    company_publishes_accounts_and_an_owner_asks,
    owner_reads_notices_and_the_community_proves_them,
    party_member_reports_in_and_signs_up,
    english_browser_reads_chinese,
    department_rejects_a_candidate,
    organiser_publishes_and_an_owner_objects,
    public_page_has_no_personal_data,
    csp_blocks_an_injected_inline_script,
    keyboard_only_sign_in,
    convenor_enters_a_paper_ballot,
    owner_votes_on_a_phone,
    bureau_dashboard_draws_its_charts,
    every_page_on_both_viewports,
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres")
    ap.add_argument("--only")
    args = ap.parse_args()
    backend = "postgres" if args.postgres else "sqlite"
    srv = Server(args.postgres)
    failed = []
    try:
        s = seed(srv)
        for scenario in SCENARIOS:
            if args.only and args.only not in scenario.__name__:
                continue
            t = time.time()
            try:
                scenario(srv, s, backend)
                print(f"web {backend}: {scenario.__name__} ok ({time.time() - t:.1f} s)", flush=True)
            except Exception as e:
                failed.append(scenario.__name__)
                print(f"web {backend}: {scenario.__name__} FAILED: {e}", flush=True)
    finally:
        srv.stop()
    if failed:
        print(f"web {backend}: {len(failed)} failed: {', '.join(failed)}; screenshots in {SHOTS / backend}")
        sys.exit(1)
    print(f"web {backend}: all passed; screenshots in {SHOTS / backend}")


if __name__ == "__main__":
    main()
