"""Benchmark: a signed-in socket's submit against an anonymous one's, server CPU per submit.

The same closed loop as bench/run.py's throughput section (server pinned to one core, load
generator to the other, each socket its own random expressions), run alternately on sockets of
anonymous sessions and of signed-in people (one person a socket, their sessions written straight
into the server's database), on the app under daphne. Goal (issue 14): within 10%.

    .venv/bin/python bench/accounts.py [--sockets 50 --messages 300 --repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from bench.run import CLIENT_CPU, SERVER_CPU, Bench, Plan  # noqa: E402

# Goal of issue 14: a signed-in socket's submit costs at most this much of an anonymous one's.
GOAL_SIGNED_IN_VS_ANONYMOUS = 1.10


def make_signed_in_sessions(count: int) -> list[str]:
    """`count` people, each with one signed-in browser session; their Cookie headers. Runs with
    the server's settings (its database), as its own process (bench/accounts.py --sessions N)."""
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    cookies = []
    for number in range(count):
        user = get_user_model().objects.create_user(f"bench{number}", f"bench{number}@example.com")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    return cookies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sessions", type=int, help=argparse.SUPPRESS)  # the helper process
    args = parser.parse_args()
    if args.sessions is not None:
        print(json.dumps(make_signed_in_sessions(args.sessions)))
        return
    bench = Bench(Plan(sockets=args.sockets, messages=args.messages, repeats=args.repeats))
    cpu = SERVER_CPU if bench.pin else None
    runs: dict[str, list[dict]] = {"anonymous": [], "signed in": []}
    for _ in range(args.repeats):
        # Interleaved, so a slow phase of the (shared) machine hits both alike.
        with servers.app_daphne(bench.app_env(), cpu=cpu) as server:
            runs["anonymous"].append(bench.throughput_run([server], "app", pin=bench.pin))
        env = bench.app_env()
        cookies = subprocess.run(
            [sys.executable, __file__, "--sessions", str(args.sockets)],
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        cookie_file = bench.tmp / "cookies.json"
        cookie_file.write_text(cookies)
        with servers.app_daphne(env, cpu=cpu) as server:
            options = ("--cookies", str(cookie_file))
            runs["signed in"].append(
                bench.throughput_run([server], "app", pin=bench.pin, options=options)
            )
    results = {name: bench.median_run(r, key="cpu_us") for name, r in runs.items()}
    ratio = results["signed in"]["cpu_us"] / results["anonymous"]["cpu_us"]
    pinning = (
        f"server pinned to CPU {SERVER_CPU}, load generator to CPU {CLIENT_CPU}"
        if bench.pin
        else "NOT pinned"
    )
    print(f"{args.sockets} sockets x {args.messages} submits, {args.repeats} runs each; {pinning}")
    print("| sockets | server CPU µs/submit (runs) | msg/s (runs) | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, result in results.items():
        print(
            f"| {name} | {result['cpu_us']:.0f} ({', '.join(map(str, result['cpus_us']))}) "
            f"| {result['rate']:.0f} ({', '.join(map(str, result['rates']))}) "
            f"| {result['p50']:.1f} | {result['p99']:.1f} |"
        )
    goal = "met" if ratio <= GOAL_SIGNED_IN_VS_ANONYMOUS else "NOT met"
    print(f"signed in / anonymous CPU per submit: {ratio:.3f} (goal ≤ 1.10: {goal})")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    main()
