"""Background jobs, one way: a row per job (:mod:`.models`), one service to create, queue,
claim, step and finish it (:mod:`.services`), one status payload its page polls
(:mod:`.status`), one progress component (``templates/core/job_progress.html`` and
``static/js/job_progress.js``). Imports, extracts, SINP exports and annual reports use it.

Nothing is imported here: the models module needs the app registry."""
