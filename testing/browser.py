"""How this project launches a browser: Debian's Chromium, since Playwright's own download is
unreachable here. The flags keep Chromium off the network (which is closed) and quiet as root.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAUNCH_OPTIONS = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
