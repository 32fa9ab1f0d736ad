"""Following a background job from its page, as the page's script does."""

import time


def poll_job(client, status_url: str, timeout: float = 60) -> tuple[dict, list[int]]:
    """Poll the job's status JSON until it says finished; returns the last state and every
    percentage seen (for "the bar never goes back")."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(status_url).json()
        seen.append(state["percent"])
        if state["finished"]:
            break
        time.sleep(0.05)
    return state, seen
