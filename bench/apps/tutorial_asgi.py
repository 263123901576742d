"""The classic tutorial design: sync `WebsocketConsumer`, `json.loads`, `eval`, `json.dumps`.

What the Channels tutorial's chat consumer becomes when turned into a calculator: every frame
runs in a worker thread (sync_to_async), and the answer is JSON the browser must render itself.
`eval` with empty builtins and math's functions stands in for "just evaluate it" (and is exactly
what the app must never do on untrusted input); the Origin check matches the tutorial's routing.
"""

import json
import math

from bench.apps.common import configure, healthz

configure()

from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

# The functions the benchmark's expressions call (bench/expressions.py), and nothing else.
NAMESPACE = {
    "__builtins__": {},
    "abs": abs,
    "max": max,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
}


class TutorialConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        data = json.loads(text_data)
        try:
            result = str(eval(data["expression"], NAMESPACE))
        except Exception as error:
            result = f"error: {error}"
        self.send(text_data=json.dumps({"expression": data["expression"], "result": result}))


application = ProtocolTypeRouter(
    {
        "http": healthz,
        "websocket": AllowedHostsOriginValidator(
            URLRouter([path("ws/calc/", TutorialConsumer.as_asgi())])
        ),
    }
)
