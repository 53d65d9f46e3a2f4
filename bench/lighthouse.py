"""Benchmark: Lighthouse (performance, accessibility, best practices, SEO) on the pages each role works in.

    python bench/lighthouse.py [--preset desktop|mobile] [--only dashboard,claim_review]

Data: a fresh PostgreSQL database (peixun_bench_lighthouse) with the full demo (`manage.py seed_demo`), two-factor
on. Each role signs in through the real pages (bench/load_dashboard.py's sign-in, TOTP included); Lighthouse gets
that session as a Cookie header.

Server: gunicorn with the production settings (DEBUG off, hashed and compressed static files, HSTS, CSP) on a free
localhost port; Lighthouse sends `X-Forwarded-Proto: https` as the TLS proxy would. Lighthouse is the npm package
(not in the product's package.json: set LIGHTHOUSE to its binary, default `/work/lh-tool/node_modules/.bin/
lighthouse`, or `npx lighthouse`), Chromium is Debian's /usr/bin/chromium.

Anchor: the same Lighthouse run on a blank page with a title, from the same server's static files — what the
machine itself scores at that moment (its speed varies 2–3× during a day); the performance ratio is the lowest
page's performance score over the anchor's. Figures: each page's four scores and the audits it loses points on;
one JSON line at the end.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_history import fresh_database  # noqa: E402
from bench.load_dashboard import free_port, server_env, sign_in, wait_ready  # noqa: E402

DATABASE = "peixun_bench_lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "/work/lh-tool/node_modules/.bin/lighthouse")
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


def pages() -> list[tuple[str, str | None, str]]:
    """(name, username or None for anonymous, path): the pages each role spends its day on."""
    from django.db.models import Count

    from accounts.models import User
    from subsidies.models import PublicNotice, SubsidyClaim
    from training.models import TrainingClass

    big_claim = SubsidyClaim.objects.annotate(n=Count("lines")).order_by("-n").first()  # the 24-line demo claim
    notice = PublicNotice.objects.order_by("pk").first()
    own = User.objects.get(username="institution").institution_id
    own_class = TrainingClass.objects.filter(institution_id=own).order_by("-pk").first()
    plan = "?plan=hlj-2022-2025"
    return [
        ("login", None, "/accounts/login/"),
        ("public_notices", None, "/public/notices/"),
        ("public_notice", None, f"/public/notices/{notice.pk}/"),
        ("public_directory", None, "/public/"),
        ("county_workbench", "beilin", "/"),
        ("approval_queue", "beilin", "/classes/queue/"),
        ("review_queue", "beilin", "/claims/queue/"),
        ("claim_review", "beilin", f"/claims/{big_claim.pk}/"),
        ("trainees", "beilin", "/trainees/"),
        ("standards", "beilin", "/claims/standards/"),
        ("spot_checks", "beilin", "/claims/spot-checks/"),
        ("institution_workbench", "institution", "/"),
        ("class_list", "institution", "/classes/"),
        ("class_detail", "institution", f"/classes/{own_class.pk}/"),
        ("class_new", "institution", "/classes/new/"),
        ("claim_list", "institution", "/claims/"),
        ("dashboard_province", "province", f"/dashboard/{plan}"),
        ("dashboard_county", "beilin", "/dashboard/"),
        ("payments", "finance", "/claims/payments/"),
    ]


def lighthouse(url: str, headers: dict, preset: str, out: Path) -> dict:
    command = [LIGHTHOUSE] if Path(LIGHTHOUSE).exists() else ["npx", "--yes", "lighthouse"]
    flags = "--headless=new --no-sandbox --disable-gpu --lang=zh-CN"
    args = [
        url,
        f"--chrome-flags={flags}",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--extra-headers={json.dumps(headers)}",
        "--max-wait-for-load=60000",
        "--locale=zh",
    ]
    if preset == "desktop":
        args.append("--preset=desktop")
    subprocess.run(command + args, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=240)
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"{url}: {report['runtimeError']}")
    # A category whose audit errored has no score: counted as 0, the error listed with the lost audits.
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    lost = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["scoreDisplayMode"] == "error":
                lost.append(f"{category}:{ref['id']}=error")
            elif ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{category}:{ref['id']}={audit['score']:.2f}")
    metrics = report["audits"]
    scores["lcp_ms"] = round(metrics["largest-contentful-paint"]["numericValue"])
    scores["tbt_ms"] = round(metrics["total-blocking-time"]["numericValue"])
    return {"scores": scores, "lost": lost}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=["desktop", "mobile"], default="desktop")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it was built before")
    args = parser.parse_args()

    url = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CELERY_BROKER_URL", None)
    env["TWO_FACTOR_REQUIRED"] = "true"
    if not args.reuse:
        fresh_database(DATABASE)
        for step in (["migrate", "-v0"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)
    import django

    django.setup()
    from accounts.demo import DEMO_PASSWORD

    todo = pages()
    if args.only:
        todo = [p for p in todo if p[0] in args.only.split(",")]
    sessions = {}
    for username in sorted({u for _, u, _ in todo if u}):
        data = sign_in(username, DEMO_PASSWORD)
        from django.contrib.sessions.backends.db import SessionStore

        store = SessionStore()
        store.update(data)
        store.create()
        sessions[username] = store.session_key

    # The TLS proxy in front answers http with its redirect; Lighthouse fetches robots.txt without the extra
    # headers, so the app's own redirect would hide it.
    senv = {**server_env(url), "DJANGO_SECURE_SSL_REDIRECT": "false"}
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=senv, check=True
        )
    anchor_dir = ROOT / "staticfiles" / "bench"
    anchor_dir.mkdir(exist_ok=True)
    (anchor_dir / "anchor.html").write_text(
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><meta name="description" content="anchor">'
        "<title>anchor</title></head><body><main><h1>anchor</h1></main></body></html>",
        encoding="utf-8",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(os.environ.get("LIGHTHOUSE_REPORTS", tmp))  # set it to keep the JSON reports
        tmp.mkdir(parents=True, exist_ok=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{port}", "--workers=2"],
            cwd=ROOT,
            env=senv,
            stderr=(tmp / "gunicorn.log").open("w"),
        )
        try:
            wait_ready(base, server)
            proxy = {"X-Forwarded-Proto": "https"}
            anchor = lighthouse(f"{base}/static/bench/anchor.html", proxy, args.preset, tmp / "anchor.json")
            print(f"anchor (blank page): {anchor['scores']} lost: {' '.join(anchor['lost']) or 'nothing'}")
            for name, username, path in todo:
                headers = {**proxy, **({"Cookie": f"sessionid={sessions[username]}"} if username else {})}
                results[name] = lighthouse(base + path, headers, args.preset, tmp / f"{name}.json")
                s = results[name]["scores"]
                print(
                    f"{name:<24} {username or '-':<12} perf {s['performance']:>3}  a11y {s['accessibility']:>3}  "
                    f"bp {s['best-practices']:>3}  seo {s['seo']:>3}  LCP {s['lcp_ms']:>5} ms  TBT {s['tbt_ms']:>4} ms"
                    + (f"  lost: {' '.join(results[name]['lost'])}" if results[name]["lost"] else "")
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            shutil.rmtree(anchor_dir, ignore_errors=True)
    lowest = {c: min(r["scores"][c] for r in results.values()) for c in CATEGORIES}
    below = sorted(n for n, r in results.items() if min(r["scores"][c] for c in CATEGORIES) < 95)
    print(f"lowest per category over {len(results)} pages: {lowest}; pages below 95: {below or 'none'}")
    summary = {
        "bench": "lighthouse",
        "preset": args.preset,
        "pages": len(results),
        **{f"min_{c.replace('-', '_')}": v for c, v in lowest.items()},
        "anchor_performance": anchor["scores"]["performance"],
        "ratio": round(lowest["performance"] / max(anchor["scores"]["performance"], 1), 2),
        "below_95": below,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
