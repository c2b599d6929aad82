"""Where an activity report is saved, and what happens after: a free name in the
documents folder, the save dialog (which asks before replacing a file), an offer
to open the file written.

The .docx is written off the UI thread (python-docx and lxml take a moment to
load) into a temporary file beside the target, then moved over it, so a failed
write never leaves half a document where the user's file was.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from companion.i18n import _
from companion.insights.activity import ActivityReport
from companion.ui.common.jobs import Job, Report
from companion.ui.common.saved_file import offer_to_open as open_saved


def free_path(folder: Path, stem: str, suffix: str) -> Path:
    """``stem.suffix`` in ``folder``, else ``stem (2).suffix``…: a name not yet taken."""
    for number in range(1, 10_000):
        name = f"{stem}{suffix}" if number == 1 else f"{stem} ({number}){suffix}"
        if not (folder / name).exists():
            return folder / name
    return folder / f"{stem}{suffix}"


def suggested_path(folder: Path, period: str, suffix: str) -> Path:
    """ "Rapport d'activité T3 2026.pdf" in ``folder``, numbered if that name is taken."""
    from companion.toolbox.templates import file_stem

    return free_path(
        folder, file_stem(_("Rapport d'activité {period}").format(period=period)), suffix
    )


def ask_save_path(parent: QWidget, title: str, suggested: Path, file_filter: str) -> Path | None:
    """The file chosen (its suffix added if not typed), or None. The dialog confirms a
    replacement itself."""
    name, _chosen = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != suggested.suffix.lower():
        path = path.with_name(path.name + suggested.suffix)
    return path


def offer_to_open(parent: QWidget, title: str, path: Path) -> bool:
    """Say where the report is; open it, or its folder, if asked."""
    message = _("Le rapport est enregistré dans « {path} ».").format(path=path)
    return open_saved(parent, title, path, message) == "open"


def write_docx_job(report: ActivityReport, path: Path) -> Job:
    """A job (not started) writing ``report`` to ``path`` as .docx; its result is the path."""

    def write(_report: Report, _cancel: threading.Event) -> Path:
        from companion.insights.report_docx import write_activity_docx

        partial = path.with_name(f".{path.name}.partiel")
        try:
            write_activity_docx(report, partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return path

    return Job(write)
