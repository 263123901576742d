"""The dashboard page: staff only. It shows this process's figures at once; the socket then
brings every process's, and keeps them current.
"""

from __future__ import annotations

from channels.layers import get_channel_layer
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from calculator.ops import access, reporter
from calculator.ops import render as ops_render
from calculator.ops.inspection import inspect


async def dashboard(request):
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.is_staff(user):
        raise PermissionDenied
    layer = get_channel_layer()
    report = reporter.reports.report(reporter.layer_prefix(layer))
    processes = {report["layer_prefix"]: report["process"]} if report["layer_prefix"] else {}
    context = ops_render.context([report], await inspect(layer, processes), live=False)
    return render(request, ops_render.PAGE, context)
