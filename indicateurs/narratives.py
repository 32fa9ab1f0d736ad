"""The coordinators' narrative of each action of the report (ActionNarrative): read for a
structure and year, saved from the dashboard's form, rendered as limited Markdown.

The text is the coordinator's: rendered with markdown-it's ``zero`` preset and only
paragraphs, line breaks, lists, bold and italics enabled, HTML disabled (typed ``<b>``
shows as text), no links nor images: nothing in it can run or load anything on the
dashboard, the print page or the shared view."""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from indicateurs.models import ActionNarrative

ACTIONS = tuple(ActionNarrative.Action.values)
_MARKDOWN = MarkdownIt("zero", {"html": False}).enable(["emphasis", "list", "newline"])


def narrative_html(text: str) -> SafeString:
    """The text as safe HTML (limited Markdown, no HTML, no links)."""
    return mark_safe(_MARKDOWN.render(text or ""))  # noqa: S308 — html disabled


def narratives_of(year: int, organisation_id: int | None) -> dict[str, str]:
    """The narrative of each action (``{"1": text, ...}``, empty when none): JSON keys,
    as the indicators carry them."""
    texts = {str(action): "" for action in ACTIONS}
    if organisation_id is None:
        return texts
    for action, text in ActionNarrative.objects.filter(
        organisation_id=organisation_id, year=year
    ).values_list("action", "text"):
        texts[str(action)] = text
    return texts


def narratives_apply(indicators: dict, year: int, organisation_id: int | None) -> None:
    """Put the structure's narratives in the indicators (read at each view, like the
    decisions on the finds: an edit shows at once)."""
    indicators["narratives"] = narratives_of(year, organisation_id)


def narratives_save(
    *, year: int, organisation_id: int, texts: dict[int, str], user
) -> None:
    """Save the narrative of each action given (an empty text deletes it)."""
    for action, text in texts.items():
        text = text.strip()
        if not text:
            ActionNarrative.objects.filter(
                organisation_id=organisation_id, year=year, action=action
            ).delete()
            continue
        ActionNarrative.objects.update_or_create(
            organisation_id=organisation_id,
            year=year,
            action=action,
            defaults={"text": text, "updated_by": user},
        )


def narratives_sheet(workbook, indicators: dict) -> None:
    """The workbook's sheet of the narratives (one line per action with a text), after
    the action sheets: the Markdown as written (a spreadsheet shows it as plain text)."""
    texts = indicators.get("narratives") or {}
    titles = {str(s["action"]): s["title"] for s in indicators["sections"]}
    rows = [
        [f"Action {action}", titles.get(action, ""), text]
        for action, text in texts.items()
        if text
    ]
    if rows:
        workbook.sheet(
            "Récits",
            ["Action", "Titre", "Récit"],
            rows,
            heading=f"Récits des actions — bilan {indicators['year']}",
        )
