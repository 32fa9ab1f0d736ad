"""À envoyer (``/observations/a-envoyer/``): the records saved on this device with no
network, waiting to be sent (static/js/outbox.js keeps them in IndexedDB and fills the
page). The server only gives the frame: the list lives on the device."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def outbox_view(request: HttpRequest) -> HttpResponse:
    return render(request, "observations/outbox.html")
