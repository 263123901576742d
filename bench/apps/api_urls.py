"""The app's URLs plus `POST /plain/evaluate-{sync,async}`: plain Django views doing the work of
`POST /api/v1/evaluate` (read the JSON, refuse a bad body, take from the address's rate limit,
evaluate, answer the same JSON) without django-ninja, to price what the framework adds."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from calculator.api import limits
from calculator.engine import Session, evaluate
from config.urls import urlpatterns as app_urlpatterns


def answer(request: HttpRequest) -> JsonResponse:
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "Cannot parse request body"}, status=400)
    if not (isinstance(payload, dict) and set(payload) == {"expression"}) or not isinstance(
        payload["expression"], str
    ):
        return JsonResponse({"detail": 'expected {"expression": "..."}'}, status=422)
    limits.current().address(request.META.get("REMOTE_ADDR"))
    result = evaluate(payload["expression"], Session(), commit=False)
    if not result.ok:
        span = result.error.span
        error = {"message": result.error.message, "start": span.start, "end": span.end}
        return JsonResponse({"ok": False, "error": error})
    reading = result.interpretation if result.interpretation_differs else None
    body = {"ok": True, "display": result.display, "value": result.stored}
    return JsonResponse({**body, "interpretation": reading, "error": None})


@csrf_exempt
@require_POST
def evaluate_sync(request: HttpRequest) -> JsonResponse:
    return answer(request)


@csrf_exempt
@require_POST
async def evaluate_async(request: HttpRequest) -> JsonResponse:
    return answer(request)


urlpatterns = [
    *app_urlpatterns,
    path("plain/evaluate-sync", evaluate_sync),
    path("plain/evaluate-async", evaluate_async),
]
