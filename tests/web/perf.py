#!/usr/bin/env python3
"""First load of the public estate page and of an owner's vote page on DevTools' "Fast 3G"
profile (562.5 ms round trip, 180 kB/s down, 84 kB/s up) -- the vote page also on a 4G profile
(50 ms, 1.5 MB/s) -- cache disabled, in Chromium; and what they transfer. Run by
scripts/bench/web.

For each page and run it reports, from the browser's own clock (navigation start = 0):
  first paint   first contentful paint (the shell's header and "loading")
  content       the page's content on screen (the estate's name; the vote's question)
  load          the load event
  bytes         every response's transferSize (compressed bytes on the wire), HTML included
"""
import json, pathlib, statistics, sys, time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import run  # the browser tests' server, seed and browser

FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180000, "uploadThroughput": 84375}
# A 4G profile: 50 ms round trip, 1.5 MB/s down, 750 kB/s up.
FOUR_G = {"offline": False, "latency": 50, "downloadThroughput": 1500000, "uploadThroughput": 750000}
RUNS = 5

# Records when an element matching the selector (with the text) first appears.
WATCH = """
window.__content = null;
const want = %s;
new MutationObserver((_, obs) => {
  for (const el of document.querySelectorAll(want.css)) {
    if (el.textContent.includes(want.text)) { window.__content = performance.now(); obs.disconnect(); return; }
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def measure(d, url, css, text, profile=FAST_3G):
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    d.execute_cdp_cmd("Network.emulateNetworkConditions", profile)
    script = d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH % json.dumps({"css": css, "text": text})})
    d.get(url)
    for _ in range(300):
        done = d.execute_script("return window.__content !== null && document.readyState === 'complete'")
        if done:
            break
        time.sleep(0.05)
    out = d.execute_script("""
        const nav = performance.getEntriesByType('navigation')[0];
        const paint = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint');
        const bytes = [nav, ...performance.getEntriesByType('resource')].reduce((n, e) => n + (e.transferSize || 0), 0);
        return { fcp: paint ? paint.startTime : null, content: window.__content, load: nav.loadEventEnd,
                 bytes, requests: performance.getEntriesByType('resource').length + 1 };""")
    d.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
    d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    return out


def report(name, runs):
    med = lambda k: statistics.median(r[k] for r in runs if r[k] is not None)
    print(f"{name}: first paint {med('fcp'):.0f} ms, content {med('content'):.0f} ms, load {med('load'):.0f} ms, "
          f"{med('bytes') / 1024:.1f} KiB in {med('requests'):.0f} requests (median of {len(runs)}; "
          f"content min {min(r['content'] for r in runs):.0f} / max {max(r['content'] for r in runs):.0f} ms)")


def main():
    srv = run.Server()
    try:
        s = run.seed(srv)
        run.owner_account(srv, s, 3, "owner-perf")
        d = run.browser(run.PHONE)
        try:
            public = [measure(d, f"{srv.base}/web/estates/{s['estate']['id']}", "h1", "公示栏") for _ in range(RUNS)]
            report("public estate page (anonymous)", public)
            run.login(d, srv.base, "owner-perf")
            vote = f"{srv.base}/web/owner/votes/{s['vote']['id']}"
            owner_runs = [measure(d, vote, "#q-h + p", s["vote"]["question"]) for _ in range(RUNS)]
            report("owner's vote page (signed in, reloaded)", owner_runs)
            owner_4g = [measure(d, vote, "#q-h + p", s["vote"]["question"], FOUR_G) for _ in range(RUNS)]
            report("owner's vote page on 4G (50 ms, 1.5 MB/s)", owner_4g)
            login_runs = []
            for _ in range(RUNS):
                d.delete_all_cookies()
                login_runs.append(measure(d, f"{srv.base}/web/login", "h1", "登录"))
            report("login page (first visit)", login_runs)
        finally:
            d.quit()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
