"""The background-work helper: progress, result and error arrive on the main thread."""

import threading
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from companion.ui.common.jobs import Job, Report, run_in_background


@dataclass(frozen=True)
class Summary:
    total: int
    worker_thread: object


def on_main_thread() -> bool:
    return QThread.currentThread() is QApplication.instance().thread()


def test_result_and_progress_are_delivered_on_the_main_thread(qtbot) -> None:
    def work(report: Report, cancel: threading.Event) -> Summary:
        for done in range(1, 4):
            report(done, 3, f"étape {done}")
        return Summary(total=3, worker_thread=threading.current_thread())

    seen: list[tuple[int, int, str, bool]] = []
    job = Job(work)
    job.progress.connect(lambda d, t, m: seen.append((d, t, m, on_main_thread())))
    with qtbot.waitSignal(job.succeeded, timeout=5000) as result, qtbot.waitSignal(job.finished):
        job.start()
    summary = result.args[0]
    assert isinstance(summary, Summary)
    assert summary.worker_thread is not threading.main_thread()
    assert seen == [(1, 3, "étape 1", True), (2, 3, "étape 2", True), (3, 3, "étape 3", True)]
    assert job.outcome == "succeeded" and not job.is_running


def test_an_error_is_delivered_as_a_signal(qtbot) -> None:
    def work(report: Report, cancel: threading.Event) -> None:
        raise ValueError("fichier illisible")

    threads: list[bool] = []
    job = run_in_background(work)
    job.failed.connect(lambda _error: threads.append(on_main_thread()))
    with qtbot.waitSignal(job.failed, timeout=5000) as failure:
        pass
    assert isinstance(failure.args[0], ValueError)
    assert str(failure.args[0]) == "fichier illisible"
    assert threads == [True]
    assert job.outcome == "failed"


def test_cancel_stops_the_function_at_its_next_report(qtbot) -> None:
    started = threading.Event()
    release = threading.Event()
    steps: list[int] = []

    def work(report: Report, cancel: threading.Event) -> str:
        started.set()
        release.wait(5)
        for step in range(100):
            report(step, 100, "")
            steps.append(step)
        return "fini"

    job = run_in_background(work)
    qtbot.waitUntil(started.is_set)
    job.cancel()
    release.set()
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass
    assert steps == []
    assert job.outcome == "cancelled" and job.is_cancelled


def test_a_job_runs_once(qtbot) -> None:
    job = run_in_background(lambda report, cancel: 42)
    with pytest.raises(RuntimeError):
        job.start()
    qtbot.waitUntil(lambda: job.outcome == "succeeded")


def test_a_job_deleted_with_its_owner_stops_quietly(qtbot) -> None:
    import threading

    from PySide6.QtCore import QObject

    from companion.ui.common import jobs

    owner = QObject()
    started, finished = threading.Event(), threading.Event()
    outcomes = []

    def work(report, cancel):
        started.set()
        try:
            while True:  # reports until told to stop
                report(0, 1, "")
                cancel.wait(0.01)
        except jobs.JobCancelled:
            outcomes.append("cancelled")
            raise
        finally:
            finished.set()

    job = jobs.run_in_background(work, owner)
    qtbot.waitUntil(started.is_set)
    owner.deleteLater()  # a dialog closed: its job goes with it
    qtbot.waitUntil(finished.is_set, timeout=5000)
    qtbot.waitUntil(lambda: job not in jobs._RUNNING, timeout=5000)
    assert outcomes == ["cancelled"]
