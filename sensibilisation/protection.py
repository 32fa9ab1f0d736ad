"""Protection of the public campaign forms against spam and abuse (ASVS 2.4.1, 5.2.1–2).

- a rate limit per client address, counted in the shared cache (Redis), on every post,
  accepted or not, so that a burst is refused after the limit whatever it contains; and
  one per email address on the reports accepted (each sends a confirmation email), so
  that nobody fills a stranger's mailbox from many addresses. Both answer 429 with
  Retry-After (``SENSIBILISATION_RATE_LIMITS``, ``SENSIBILISATION_EMAIL_RATE_LIMITS``);
  the client address is the site's (``cpie_naturaliste.core.throttling``);
- a honeypot field that people never see and robots fill in;
- a signed "form shown at" time: a form sent back in under a few seconds (or without a
  valid time) is not saved; the page comes back with everything typed and asks to check
  and send again, the time then back-dated (a person correcting the form has spent time
  on it). Never a field error, never a time limit: a slow person is never refused
  (WCAG 2.2.1);
- photos: size cap, JPEG/PNG/WebP recognised by their first bytes, decoded by Pillow
  (pixel cap against decompression bombs), then re-encoded as JPEG, which also drops the
  EXIF block and its GPS position of the garden;
- text fields: no HTML (refused, not silently stripped, so that the sender knows).
"""

import hashlib
import io
import re
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

HONEYPOT_FIELD = "site_web"
TOKEN_SALT = "sensibilisation.form-started"
MIN_FILL_SECONDS = getattr(settings, "SENSIBILISATION_MIN_FILL_SECONDS", 3)
PHOTO_MAX_BYTES = getattr(settings, "SENSIBILISATION_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 2000
MAGIC = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
HTML_RE = re.compile(r"<\s*[a-zA-Z/!?]|&#?\w+;|javascript:", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def client_hash(address: str) -> str:
    """A keyed hash of the address: enough to count and spot abuse, not to recover it."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def rate_limit_wait(*, key: str, limits=None) -> int:
    """Count one post for ``key`` in each window of ``limits`` ((posts, seconds) pairs,
    ``SENSIBILISATION_RATE_LIMITS`` by default); the seconds to wait when a limit is
    exceeded (the post is refused: 429 with Retry-After), else 0.

    Fixed windows, each an atomic counter in Redis: a burst sent at once from many
    processes is counted exactly."""
    wait = 0
    now = int(time.time())
    for limit, window in limits or settings.SENSIBILISATION_RATE_LIMITS:
        cache_key = f"sensibilisation:rl:{window}:{now // window}:{key}"
        cache.add(cache_key, 0, timeout=window)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window)
            count = 1
        if count > limit:
            wait = max(wait, window - now % window)
    return wait


def email_rate_limit_wait(email: str) -> int:
    """Count one report for this email address (``SENSIBILISATION_EMAIL_RATE_LIMITS``):
    the seconds to wait when it had too many, else 0."""
    return rate_limit_wait(
        key="email:" + client_hash(email.strip().casefold()),
        limits=settings.SENSIBILISATION_EMAIL_RATE_LIMITS,
    )


def form_token(*, issued_at: float | None = None) -> str:
    """The signed time the form was shown at, put in a hidden field."""
    return signing.dumps(
        issued_at if issued_at is not None else time.time(), salt=TOKEN_SALT
    )


def sent_too_fast(token: str) -> bool:
    """Whether the form of ``token`` came back implausibly fast for a person (or without
    a valid time, as a robot posting without loading the page does). However long ago
    the form was shown, it is never too late."""
    try:
        issued_at = float(signing.loads(token or "", salt=TOKEN_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    return time.time() - issued_at < MIN_FILL_SECONDS


def plain_text(value: str, *, field_label: str) -> str:
    """``value`` without control characters; a ValidationError if it holds HTML."""
    value = CONTROL_RE.sub("", value or "").strip()
    if HTML_RE.search(value):
        raise ValidationError(
            _("%(field)s : le HTML n'est pas accepté (pas de balises ni de liens).")
            % {"field": field_label}
        )
    return value


def photo_clean(upload) -> bytes:
    """Check an uploaded photo and return it re-encoded as JPEG (no metadata).

    Raises a ValidationError in French for a file too large, of another type, or that
    does not decode as an image."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("La photo dépasse %(max)s Mo : envoyez une image plus légère.")
            % {"max": PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not is_webp and not any(
        head.startswith(magic) for magics in MAGIC.values() for magic in magics
    ):
        raise ValidationError(_("La photo doit être une image JPEG, PNG ou WebP."))
    upload.seek(0)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(_("La photo est trop volumineuse."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"JPEG", "PNG", "WEBP"}:
                raise ValidationError(
                    _("La photo doit être une image JPEG, PNG ou WebP.")
                )
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("La photo a trop de pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("La photo est illisible ou endommagée : essayez une autre image.")
        ) from None
    return out.getvalue()
